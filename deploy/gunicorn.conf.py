"""gunicorn settings for one ChainQ app host: `gunicorn --config deploy/gunicorn.conf.py wsgi:app`.

Read by gunicorn (a Python file of setting names); values from the environment where a host
differs. Command-line flags override this file (bench/prod_check.py passes --bind and --workers).
The app itself reads only the CHAINQ_* variables (deploy/chainq.env.example).
"""
import os

# Where nginx reaches this host (deploy/nginx-chainq.conf, upstream chainq_app).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: one request at a time each, so a slow request never holds up another in the same
# process. Each worker holds its own connection pool and compiled-definition cache.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"

# A request taking longer than this is killed (its transaction rolls back: a command commits once, at its end).
timeout = 60
graceful_timeout = 20
# Keep-alive does not apply to sync workers (they close after each response); nginx keeps its own
# connections to the client.

# Only nginx talks to gunicorn: trust its X-Forwarded-Proto (sets wsgi.url_scheme to https).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr: systemd's journal keeps them. The access log carries nginx's request id.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}i)s'

# Restart each worker after this many requests (plus jitter), bounding slow memory growth.
max_requests = 5000
max_requests_jitter = 500
