"""Attachments on the application: real files are kept and served to those who may see the
case; wrong types are refused next to the field."""
import html as htmllib
import io
import re
from urllib.parse import urlparse

import pytest

from .conftest import form_fields

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


@pytest.fixture
def fill(browser):
    client = browser("applicant")
    url = urlparse(client.post("/processes/consortium_application/start").location).path
    return client, url


def upload(client, url, files, fields=None, action="draft"):
    data = {**(fields or {}), "_action": action,
            "attachments-files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(url, data=data, content_type="multipart/form-data")


def attachment_links(html):
    return re.findall(r'href="/attachments/([0-9a-f]+)">([^<]+)</a>', html)


def test_a_pdf_is_listed_on_the_task_and_downloadable_by_the_applicant(fill):
    client, url = fill
    response = upload(client, url, [("实施方案.pdf", PDF)], {"consortium_name": "带附件的草稿"})
    assert response.status_code == 302
    links = attachment_links(client.get(url).get_data(as_text=True))
    assert [name for _token, name in links] == ["实施方案.pdf"]
    download = client.get(f"/attachments/{links[0][0]}")
    assert download.status_code == 200
    assert download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_a_wrong_file_is_refused_next_to_the_attachments_field(fill):
    client, url = fill
    for name, content in [("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00"), ("fake.pdf", b"<html>not a pdf</html>"),
                          ("noextension", PDF), ("photo.png", PDF)]:
        response = upload(client, url, [(name, content)], {"consortium_name": "保留的名称产业链质量创新联合体"})
        assert response.status_code == 422, name
        html = htmllib.unescape(response.get_data(as_text=True))
        errors = re.findall(r'data-error-for="attachments">([^<]+)<', html)
        assert errors and name in errors[0], name
        assert 'value="保留的名称产业链质量创新联合体"' in html                # the rest of the input is kept
    assert attachment_links(client.get(url).get_data(as_text=True)) == []   # nothing stored


def test_submitted_attachments_are_for_those_who_may_see_the_case(fill, browser, application_form):
    client, url = fill
    upload(client, url, [("plan.pdf", PDF)])
    page = htmllib.unescape(client.get(url).get_data(as_text=True))
    (token, name), = attachment_links(page)
    fields = {**form_fields(application_form("tianhe")), "attachments-token": token, "attachments-filename": name}
    submitted = client.post(url, data=fields)
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]

    for allowed in ("applicant", "leader", "district_tianhe", "city"):
        response = browser(allowed).get(f"/attachments/{token}")
        assert response.status_code == 200 and response.data == PDF, allowed
    for refused in ("district_haizhu", "applicant2", "leader2"):
        response = browser(refused).get(f"/attachments/{token}")
        assert response.status_code == 403 and response.mimetype == "text/html", refused
        assert PDF not in response.data
    assert browser().get(f"/attachments/{token}").status_code == 302   # anonymous: to the login page
    assert browser("city").get("/attachments/" + "0" * 32).status_code == 404


def test_an_attachment_of_another_case_cannot_be_smuggled_in(fill, browser, application_form):
    client, url = fill
    other = browser("applicant2")
    other_url = urlparse(other.post("/processes/consortium_application/start").location).path
    upload(other, other_url, [("secret.pdf", PDF)])
    (token, _name), = attachment_links(other.get(other_url).get_data(as_text=True))
    fields = {**form_fields(application_form()), "attachments-token": token, "attachments-filename": "secret.pdf"}
    response = client.post(url, data=fields)
    assert response.status_code == 422 and 'data-error-for="attachments"' in response.get_data(as_text=True)
    assert client.get(f"/attachments/{token}").status_code == 403


def test_files_over_the_size_limits_are_refused(fill, app):
    client, url = fill
    app.config["MAX_ATTACHMENT_BYTES"] = 1024
    response = upload(client, url, [("big.pdf", PDF + b"0" * 2048)])
    assert response.status_code == 422
    assert re.search(r'data-error-for="attachments">big\.pdf', response.get_data(as_text=True))
    app.config["MAX_CONTENT_LENGTH"] = 4096                       # the whole request
    response = upload(client, url, [("huge.pdf", PDF + b"0" * 8192)])
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert attachment_links(client.get(url).get_data(as_text=True)) == []
