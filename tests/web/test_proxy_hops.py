"""Behind CHAINQ_PROXY_HOPS proxies the client's address comes from X-Forwarded-For (login throttling
counts it); with none configured, the header is ignored and cannot be used to dodge the throttle."""
from flask import request

from tests.support import make_app


def _seen_address(tmp_path, hops):
    app = make_app("sqlite://", tmp_path, PROXY_HOPS=hops)
    app.add_url_rule("/_address", "address", lambda: request.remote_addr)
    return app.test_client().get("/_address", headers={"X-Forwarded-For": "203.0.113.9"},
                                 environ_base={"REMOTE_ADDR": "10.0.0.2"}).get_data(as_text=True)


def test_the_client_address_comes_from_the_proxy_only_when_configured(tmp_path):
    assert _seen_address(tmp_path, 0) == "10.0.0.2"
    assert _seen_address(tmp_path, 1) == "203.0.113.9"
