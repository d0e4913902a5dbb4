"""A real gunicorn server on the test's database, and plain HTTP clients for it.

For tests whose subject is what several worker processes do at the same moment
(row locks, optimistic versions, audit chains): Flask's test client runs one
request at a time in the test's own process, so it cannot race.

The server binds to port 0 on the loopback interface (the kernel picks a free
port; gunicorn logs which) and reads its database from CHAINQ_DATABASE_URL, as
in production. It neither deploys the bpmn/ folder nor runs the scheduler: the
test owns the database and decides what runs.
"""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def _has_setting(name):
    from gunicorn.config import KNOWN_SETTINGS
    return any(setting.name == name for setting in KNOWN_SETTINGS)


class LiveServer:
    """`with LiveServer(url, folder, workers=4) as server:` serves wsgi:app until the block ends."""

    def __init__(self, database_url, folder, workers=4, threads=1, boot_timeout=60, env=None):
        self.database_url, self.folder, self.extra_env = database_url, Path(folder), env or {}
        self.workers, self.threads, self.boot_timeout = workers, threads, boot_timeout
        self.process, self.port = None, None
        self.log_path = self.folder / "gunicorn.log"

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, CHAINQ_DATABASE_URL=self.database_url, CHAINQ_DEPLOY_ON_START="0",
                   CHAINQ_SCHEDULER_IN_APP="0", CHAINQ_DEMO="1", CHAINQ_SECRET_KEY="live-server-test", CHAINQ_SESSION_COOKIE_SECURE="0",
                   CHAINQ_UPLOAD_FOLDER=str(self.folder / "uploads"), **self.extra_env)
        command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", str(self.workers),
                   "--timeout", "120", "--graceful-timeout", "5", "--log-level", "info",
                   # one import in the master, workers forked from it: the app opens no connection
                   # while it is built (DEPLOY_ON_START=0), so no socket is shared by the forks
                   "--preload"]
        if _has_setting("control_socket_disable"):
            command.append("--no-control-socket")     # else one socket path per user, shared by every server
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        command.append("wsgi:app")
        self._log = open(self.log_path, "w")
        # in a process group of its own, which stop() ends: the master and its workers
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + self.boot_timeout
        while self.port is None:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start in {self.boot_timeout} s:\n{self.log_tail()}")
            found = _LISTENING.search(self.log_path.read_text(errors="replace"))
            if found:
                self.port = int(found.group(1))
            else:
                time.sleep(0.05)
        self._wait_until_answering(deadline)

    def _wait_until_answering(self, deadline):
        while True:
            try:
                status, _body = Client(self, None).get("/api/openapi.json")
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn does not answer:\n{self.log_tail()}")
            time.sleep(0.1)

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            # Every answer has been read, nothing is left to finish: SIGINT is gunicorn's quick
            # shutdown. The workers still take seconds to tear their interpreter down (about 1 s
            # of CPU each for the app's modules), which a test need not wait for: after a moment
            # the server's own process group is killed.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        self.process = None
        self._log.close()

    def log_tail(self, chars=4000):
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def log_mark(self):
        """Where the log ends now: errors_logged(since=mark) reads only what came after."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def errors_logged(self, since=0):
        """Lines of the log (after `since`) telling of an unhandled exception or a worker timeout."""
        if not self.log_path.exists():
            return []
        with open(self.log_path, "rb") as log:
            log.seek(since)
            text = log.read().decode("utf-8", errors="replace")
        return [line for line in text.splitlines() if "Traceback" in line or "WORKER TIMEOUT" in line
                or "Exception on" in line or "[ERROR]" in line]

    def client(self, token):
        return Client(self, token)


class Client:
    """One user's HTTP connection to the server (bearer token). Not shared between threads.

    `connect()` opens the connection ahead of time, so that requests released together by a
    barrier are not spread out by TCP handshakes. Gunicorn's sync workers close a connection
    after each response; the next request then reconnects."""

    def __init__(self, server, token, timeout=120):
        self.server, self.timeout = server, timeout
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.connection = None

    def connect(self):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=self.timeout)
        if self.connection.sock is None:
            self.connection.connect()
        return self

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method, path, payload=None, body=None, content_type=None):
        """(status, parsed JSON body or the text) of one request."""
        headers = dict(self.headers)
        if payload is not None:
            body, content_type = json.dumps(payload).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        self.connect()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        text = raw.decode("utf-8", errors="replace")
        if response.getheader("Content-Type", "").startswith("application/json"):
            return response.status, json.loads(text)
        return response.status, text

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, payload=None, body=None, content_type=None):
        return self.request("POST", path, payload, body, content_type)

    def delete(self, path):
        return self.request("DELETE", path)
