"""Operations: logs with request ids, Prometheus metrics, health and readiness endpoints.

`init_app` is the first call of `create_app`: logging is set up before anything
logs, and the request-id hook runs before every other hook."""
from . import logs, requests, views


def init_app(app):
    logs.configure(app)
    requests.init_app(app)
    app.register_blueprint(views.bp)
