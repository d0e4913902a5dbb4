"""The attachment store: bytes by content hash behind a small interface; local disk by default."""
import hashlib

import pytest

from app.services.workflow.attachment_store import LocalDiskStore
from tests.support import make_app
from tests.web.test_views__attachments import PDF


def test_the_local_store_keeps_files_by_hash_under_the_upload_folder(tmp_path):
    store = LocalDiskStore(tmp_path / "uploads")
    key = hashlib.sha256(PDF).hexdigest()
    store.save(key, PDF)
    store.save(key, PDF)            # the same content again: one file
    assert (tmp_path / "uploads" / key[:2] / key).read_bytes() == PDF
    assert [p.name for p in (tmp_path / "uploads" / key[:2]).iterdir()] == [key]   # no temporary file left
    with store.open(key) as handle:
        assert handle.read() == PDF
    assert store.exists(key) and not store.exists("0" * 64)
    with pytest.raises(FileNotFoundError):
        store.open("0" * 64)
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_an_unknown_storage_is_refused_when_the_app_starts(tmp_path):
    with pytest.raises(RuntimeError, match="CHAINQ_ATTACHMENT_STORAGE='s3'"):
        make_app(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, ATTACHMENT_STORAGE="s3")


def test_a_second_file_of_the_same_name_is_told_apart():
    from app.services.workflow.attachments import FILENAME_LIMIT, unique_name
    taken = {"报告.pdf"}
    assert unique_name("报告.pdf", taken) == "报告 (2).pdf"
    assert unique_name("报告.pdf", taken) == "报告 (3).pdf"
    assert unique_name("附件.pdf", taken) == "附件.pdf"
    long = "长" * FILENAME_LIMIT + ".pdf"
    first = unique_name(long[-FILENAME_LIMIT:], set())
    second = unique_name(first, {first})
    assert second != first and second.endswith(" (2).pdf") and len(second) <= FILENAME_LIMIT
