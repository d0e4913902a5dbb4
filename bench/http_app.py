"""The product app as gunicorn serves it for bench/http_latency.py, plus a statement counter.

    gunicorn --workers 1 bench.http_app:app      (configured by the CHAINQ_* environment, as wsgi.py)

Built with `create_app()` like wsgi.py, but without wsgi.py's start-up work: no
deploy of bpmn/ and no scheduler (a web worker, as in production where the
scheduler is its own process). An SQLAlchemy `before_cursor_execute` listener on
the app's engine counts the SQL statements of each request; the count goes back
in the `X-SQL-Statements` response header, and the worker's pid in
`X-Worker-Pid` (so the bench can read the worker's memory from /proc).
`X-Server-Ms` and `X-Server-CPU-Ms` say how long the app took and how much CPU
it used for the request (CPU time does not grow when other processes load the
machine, so it compares runs on a busy machine better than wall time does).

The counter is one number for the process: right for gunicorn's sync worker,
which serves one request at a time. It is reset when a request arrives and read
when the response starts, after the view and the command's commit, before the
request's teardown (which only returns the connection to the pool).
"""
import os
import time

from sqlalchemy import event

from app import create_app
from app.extensions import db


class StatementCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args):
        self.count += 1


app = create_app()
counter = StatementCounter()
with app.app_context():
    event.listen(db.engine, "before_cursor_execute", counter)

_flask_wsgi = app.wsgi_app


def _counting_wsgi(environ, start_response):
    counter.count = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()

    def start(status, headers, exc_info=None):
        headers.append(("X-SQL-Statements", str(counter.count)))
        headers.append(("X-Worker-Pid", str(os.getpid())))
        headers.append(("X-Server-Ms", f"{(time.perf_counter() - wall0) * 1000:.3f}"))
        headers.append(("X-Server-CPU-Ms", f"{(time.process_time() - cpu0) * 1000:.3f}"))
        return start_response(status, headers, exc_info)
    return _flask_wsgi(environ, start)


app.wsgi_app = _counting_wsgi
