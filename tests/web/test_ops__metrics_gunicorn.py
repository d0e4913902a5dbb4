"""/metrics under gunicorn: every worker's requests are counted in one scrape (PROMETHEUS_MULTIPROC_DIR)."""
from tests.api.live_server import LiveServer
from tests.web.test_ops__metrics import sample


def test_a_scrape_adds_up_the_requests_of_every_worker(tmp_path):
    shared = tmp_path / "prometheus"
    shared.mkdir()
    # each worker is replaced after 8 requests (gunicorn's max_requests): the 30 requests are served
    # by at least four worker processes, however the kernel spreads the connections
    with LiveServer(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path, workers=3,
                    env={"PROMETHEUS_MULTIPROC_DIR": str(shared), "GUNICORN_CMD_ARGS": "--max-requests 8"}) as server:
        clients = [server.client(None) for _ in range(3)]
        for n in range(30):
            status, _body = clients[n % 3].get("/healthz")
            assert status == 200
        status, text = server.client(None).get("/metrics")
    assert status == 200, text
    assert sample(text, "chainq_http_requests_total", endpoint="ops.healthz", method="GET", status="200") == 30
    assert len({p.name.rsplit("_", 1)[-1] for p in shared.glob("counter_*.db")}) >= 4   # files of several workers
