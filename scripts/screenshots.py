"""Screenshots of the main pages, Chinese UI, on a desk (1440×900) and on a phone (390×844), for the
user guide: docs/screenshots/<page>-desktop.png and <page>-phone.png.

The app runs on a fresh SQLite database in a temporary folder, with the demo data, served on a free
local port; Debian's Chromium (Playwright with executable_path) takes the pictures. `make screenshots`
runs it. Nothing here is a test: the browser tests check the same pages."""
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
PASSWORD = "chainq123"


def serve(folder):
    """The app with demo data on a free port: (base URL, stop)."""
    os.environ.update(CHAINQ_DATABASE_URL=f"sqlite:///{folder / 'screens.db'}", CHAINQ_DEPLOY_ON_START="0",
                      CHAINQ_DEMO="1", CHAINQ_UPLOAD_FOLDER=str(folder / "uploads"),
                      CHAINQ_SECRET_KEY=os.urandom(32).hex())
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app
    from app.services import demo, demo_achievements, demo_projects, demo_sharing
    from app.services.workflow import deploy

    app = create_app({"SESSION_COOKIE_SECURE": False})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        demo.seed_accounts()
        deploy.deploy_folder()
        demo.seed_cases()
        demo.seed_problems()
        demo.seed_problem_processes()
        demo_projects.seed_project_processes()
        demo_achievements.seed_achievements()
        demo_sharing.seed_sharing()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", app


def first_link(page, base, path, selector):
    page.goto(base + path)
    return page.locator(selector).first.get_attribute("href")


def shots(page, base):
    """(name, user, path or a function of the page giving it) of each picture."""
    return [
        ("inbox", "manager", "/tasks"),
        ("task", "district_panyu", lambda: first_link(page, base, "/tasks", "#inbox-table tbody tr a")),
        ("case", "city", lambda: first_link(page, base, "/instances", "#instance-table tbody tr a")),
        ("statistics", "city", "/statistics"),
        ("problems", "manager", "/problems"),
        ("projects", "manager", "/projects"),
        ("project", "manager", lambda: first_link(page, base, "/projects", "#projects-table tbody tr a")),
        ("risks", "manager", "/projects/risks"),
        ("achievements", "applicant2", "/achievements"),
        ("achievement", "manager",
         lambda: first_link(page, base, "/achievements?status=published", "#achievements-table tbody tr a")),
        ("audit", "auditor", lambda: first_link(page, base, "/audit/", "#audit-cases tbody tr a")),
    ]


def log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#logout")


def main():
    from playwright.sync_api import sync_playwright
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        base, _app = serve(Path(tmp))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
            for size, viewport in SIZES.items():
                page = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
                who = None
                for name, user, where in shots(page, base):
                    if user != who:
                        log_in(page, base, user)
                        who = user
                    path = where() if callable(where) else where
                    page.goto(base + path if path.startswith("/") else path)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(OUT / f"{name}-{size}.png"))
                    print(f"docs/screenshots/{name}-{size}.png")
                page.context.close()
            browser.close()


if __name__ == "__main__":
    main()
