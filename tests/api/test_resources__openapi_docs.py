"""The published API description and its interactive page."""
import importlib.util
import re

import pytest

EXPECTED_OPERATIONS = {
    ("/api/v1/definitions", "get"), ("/api/v1/definitions", "post"),
    ("/api/v1/instances", "get"), ("/api/v1/instances", "post"), ("/api/v1/instances/{instance_id}", "get"),
    ("/api/v1/tasks", "get"), ("/api/v1/tasks/done", "get"), ("/api/v1/tasks/{task_id}", "get"),
    ("/api/v1/tasks/{task_id}/claim", "post"), ("/api/v1/tasks/{task_id}/release", "post"),
    ("/api/v1/tasks/{task_id}/draft", "post"), ("/api/v1/tasks/{task_id}/complete", "post"),
    ("/api/v1/tasks/{task_id}/return-to", "post"), ("/api/v1/instances/{instance_id}/withdraw", "post"),
    ("/api/v1/instances/{instance_id}/reclaim", "post"),
}


def _resolve(spec, ref):
    node = spec
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_json_describes_every_operation(client):
    response = client.get("/api/openapi.json")   # public: no login needed to read the description
    assert response.status_code == 200 and response.is_json
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    operations = {(path, method) for path, item in spec["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")}
    assert EXPECTED_OPERATIONS <= operations
    for path, method in operations:
        op = spec["paths"][path][method]
        assert op.get("responses"), (path, method)
        if "{" in path:
            declared = {p["name"] for p in spec["paths"][path].get("parameters", []) + op.get("parameters", [])
                        if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)
    for ref in set(_refs(spec)):   # every $ref resolves
        assert ref.startswith("#/") and _resolve(spec, ref) is not None
    assert spec["servers"]
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer"
    assert (schemes["session"]["in"], schemes["csrf"]["name"]) == ("cookie", "X-CSRFToken")
    ids = [spec["paths"][path][method].get("operationId") for path, method in operations]
    assert all(ids) and len(set(ids)) == len(ids), ids
    for path, method in operations:   # every operation needs a login, and says so
        op = spec["paths"][path][method]
        assert "401" in op["responses"], (path, method)
        write = {"bearer": [], "session": [], "csrf": []} if method != "get" else {"bearer": [], "session": []}
        assert {name: [] for requirement in op["security"] for name in requirement} == write, (path, method)
    complete = spec["paths"]["/api/v1/tasks/{task_id}/complete"]["post"]
    assert {"200", "403", "409", "422"} <= set(complete["responses"])


@pytest.mark.skipif(importlib.util.find_spec("openapi_spec_validator") is None,
                    reason="openapi-spec-validator is not installed")
def test_openapi_json_passes_the_spec_validator(client):
    from openapi_spec_validator import validate
    validate(client.get("/api/openapi.json").get_json())


def test_api_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "/static/vendor/swagger-ui/" in html and "/api/openapi.json" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert asset in html
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200
