"""What every browser test's users do first and last: log in (with the demo password) and out."""
import re

from playwright.sync_api import expect

from app.services import demo


def log_in(page, server, username):
    page.goto(server("/login"))
    page.fill("#username", username)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/login"))


def log_out(page):
    page.click("#logout")
    expect(page.locator("#login-submit")).to_be_visible()
