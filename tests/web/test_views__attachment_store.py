"""Attachments go through the configured store (app/services/workflow/attachment_store.py)."""
import io
from pathlib import Path

from app.services.workflow import attachment_store

from .test_views__attachments import PDF, attachment_links, upload


class MemoryStore:
    """Another implementation of the interface, as an object store would be."""

    def __init__(self):
        self.blobs = {}

    def save(self, key, content):
        self.blobs.setdefault(key, content)

    def open(self, key):
        return io.BytesIO(self.blobs[key]) if key in self.blobs else open(f"/nonexistent/{key}", "rb")

    def exists(self, key):
        return key in self.blobs


def test_uploads_and_downloads_go_through_the_configured_store(app, browser, monkeypatch):
    memory = MemoryStore()
    monkeypatch.setitem(attachment_store.BACKENDS, "memory", lambda config: memory)
    app.config["ATTACHMENT_STORAGE"] = "memory"
    attachment_store.init_app(app)
    client = browser("applicant")
    url = client.post("/processes/consortium_application/start").location
    upload(client, url, [("plan.pdf", PDF)])
    assert list(memory.blobs.values()) == [PDF]
    assert [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()] == []   # nothing on disk
    [(token, _name)] = attachment_links(client.get(url).get_data(as_text=True))
    assert client.get(f"/attachments/{token}").data == PDF
    memory.blobs.clear()                 # the file is gone from the store: a 404, not a crash
    assert client.get(f"/attachments/{token}").status_code == 404
