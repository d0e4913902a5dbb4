"""The statistics page draws its charts with ECharts under the app's CSP, and fits a phone."""
import pytest
from playwright.sync_api import expect

from tests.browser.people import log_in

pytestmark = pytest.mark.browser


def test_the_city_office_sees_the_charts(page, live_server):
    log_in(page, live_server, "city")
    page.click("#nav-statistics")
    for chart in ("#chart-months", "#chart-steps"):
        expect(page.locator(f'{chart}[data-rendered="1"] canvas')).to_be_visible()
    assert page.js_errors == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner
