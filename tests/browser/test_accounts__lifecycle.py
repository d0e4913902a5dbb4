"""An account's life in Chromium, with the forced password change on (as outside demo mode): the
administrator changes the demo password first, creates an account in a group; its user logs in
with the initial password, must choose their own, then sees the inbox; the administrator
deactivates the account and the user's next request finds them logged out."""
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import User
from app.services import demo
from app.services.identity import users
from tests.browser.conftest import serving

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    with serving(tmp_path) as live:
        live.app.config["FORCE_PASSWORD_CHANGE"] = True
        yield live


def log_in(page, server, username, password):
    page.goto(server("/login"))
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")


def change_password(page, current, new):
    expect(page).to_have_url(re.compile(r"/password"))
    expect(page.locator("#password-must-change")).to_be_visible()
    page.fill("#current_password", current)
    page.fill("#new_password", new)
    page.click("#change-password")


def test_an_account_is_created_used_and_deactivated(browser, server):
    admin = browser.new_context(locale="zh-CN").new_page()
    log_in(admin, server, "admin", demo.DEMO_PASSWORD)
    change_password(admin, demo.DEMO_PASSWORD, "admin-own-password")
    expect(admin.locator("#logout")).to_be_visible()
    admin.click("#nav-admin")                  # Administration, then its Accounts section
    admin.click("#nav-accounts")
    admin.click("#new-user")
    admin.fill("#username", "zhou")
    admin.fill("#display_name", "周工程师")
    admin.select_option("#unit", "gz_testing_institute")
    admin.check('#groups input[value="experts"]')
    admin.click("#save-account")
    password = admin.locator("#generated-password").inner_text().strip()
    assert len(password) == 12

    user = browser.new_context(locale="zh-CN").new_page()
    log_in(user, server, "zhou", password)
    user.goto(server("/tasks"))                       # any page leads to the password page first
    change_password(user, password, "zhou-own-password")
    expect(user).to_have_url(re.compile(r"/tasks"))
    expect(user.locator("#nav-inbox")).to_be_visible()
    expect(user.locator("#nav-profile")).to_have_text("周工程师")

    admin.goto(server("/admin/users?q=周工程师"))
    admin.click("#user-zhou a")
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click("#deactivate")
    expect(admin.locator("#user-inactive")).to_be_visible()

    user.click("#nav-inbox")
    expect(user).to_have_url(re.compile(r"/login"))
    expect(user.locator("#login-submit")).to_be_visible()
    log_in(user, server, "zhou", "zhou-own-password")
    expect(user.locator("#login-submit")).to_be_visible()     # refused: the account is deactivated
    user.context.close()
    admin.context.close()


def many_people(app, count):
    """`count` more active accounts, straight into the database (one hash for all: speed)."""
    with app.app_context():
        password_hash = users.hash_password("not-used-here")
        db.session.add_all([User(username=f"staff{i:03d}", display_name=f"职员{i:03d}", password_hash=password_hash)
                            for i in range(count)])
        db.session.commit()
        db.session.remove()


def test_beyond_200_people_the_picker_searches_as_one_types(browser, server):
    many_people(server.app, users.PEOPLE_LIST_LIMIT)
    page = browser.new_context(locale="zh-CN").new_page()
    log_in(page, server, "admin", demo.DEMO_PASSWORD)
    change_password(page, demo.DEMO_PASSWORD, "admin-own-password")
    page.goto(server("/admin/groups"))
    page.click("#groups tbody a >> nth=0")
    directory = page.locator("#user-directory")
    assert directory.get_attribute("data-people-search") == "/api/v1/people"
    assert directory.locator("option").count() == 0          # not sent with the page
    page.locator("#member-user").press_sequentially("新能源")   # a unit's name
    expect(directory.locator("option")).to_have_count(2)
    assert sorted(directory.locator("option").evaluate_all("os => os.map(o => o.value)")) == ["applicant2", "leader2"]
    assert "广州新能源汽车零部件有限公司" in directory.locator('option[value="leader2"]').inner_text()
    page.locator("#member-user").fill("")
    page.locator("#member-user").press_sequentially("experts")  # a group
    expect(directory.locator("option")).to_have_count(5)
    page.context.close()
