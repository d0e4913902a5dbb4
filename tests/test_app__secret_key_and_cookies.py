"""The app refuses to sign login cookies with no key or a published one, outside debugging and tests;
cookies are Secure-only by default in production."""
import pytest

from app import MissingSecretKey, create_app
from app.config import env_flag, secret_key


def _config(tmp_path, **extra):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "UPLOAD_FOLDER": str(tmp_path / "up"),
              "DEPLOY_ON_START": False, "TESTING": False, "DEBUG": False}
    config.update(extra)
    return config


@pytest.mark.parametrize("key", [None, "", "dev-only-change-me"])
def test_production_refuses_to_start_without_a_key_of_its_own(tmp_path, key):
    with pytest.raises(MissingSecretKey, match="CHAINQ_SECRET_KEY"):
        create_app(_config(tmp_path, SECRET_KEY=key))


def test_debugging_without_a_key_gets_a_random_one(tmp_path):
    app = create_app(_config(tmp_path, SECRET_KEY=None, DEBUG=True))
    other = create_app(_config(tmp_path, SECRET_KEY=None, DEBUG=True))
    assert len(app.config["SECRET_KEY"]) >= 32 and app.config["SECRET_KEY"] != other.config["SECRET_KEY"]


def test_the_key_comes_from_the_environment_else_from_the_instance_file(tmp_path):
    key_file = tmp_path / "secret_key"
    assert secret_key({}, key_file) is None
    key_file.write_text("from-the-file\n")
    assert secret_key({}, key_file) == "from-the-file"
    assert secret_key({"CHAINQ_SECRET_KEY": "from-the-env"}, key_file) == "from-the-env"


def test_cookies_are_secure_in_production_unless_configured_otherwise(tmp_path):
    production = create_app(_config(tmp_path, SECRET_KEY="k" * 32, SESSION_COOKIE_SECURE=None))
    assert production.config["SESSION_COOKIE_SECURE"] is True
    testing = create_app(_config(tmp_path, SECRET_KEY="k" * 32, SESSION_COOKIE_SECURE=None, TESTING=True))
    assert testing.config["SESSION_COOKIE_SECURE"] is False
    plain_http = create_app(_config(tmp_path, SECRET_KEY="k" * 32, SESSION_COOKIE_SECURE=False))
    assert plain_http.config["SESSION_COOKIE_SECURE"] is False
    assert [env_flag("X", {"X": v}) for v in ("1", "0", "true", "off", "")] == [True, False, True, False, None]


def test_secure_production_sends_hsts_and_a_secure_cookie(tmp_path):
    app = create_app(_config(tmp_path, SECRET_KEY="k" * 32, SESSION_COOKIE_SECURE=None))
    response = app.test_client().post("/lang/en", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]
    testing = create_app(_config(tmp_path, SECRET_KEY="k" * 32, SESSION_COOKIE_SECURE=None, TESTING=True))
    assert "Strict-Transport-Security" not in testing.test_client().get("/login").headers
