"""The app in a real browser: Debian's headless Chromium, driven by Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt install chromium)")


@pytest.fixture
def page(server: str):  # type: ignore[no-untyped-def]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def test_choose_decide_and_see(page, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server)
    page.click("text=Kleine keten")
    row = page.locator('tr[data-step="intake"]')
    assert row.locator(".load-now").inner_text() == "0,8"
    page.fill('input[name="capacity.intake"]', "1")
    page.wait_for_function("document.querySelector('tr[data-step=\"intake\"] .load-then')"
                           ".classList.contains('over')")
    assert row.locator(".load-then").inner_text() == "1,6"
    page.fill('input[name="capacity.intake"]', "-3")
    error = page.locator('.error[data-for="capacity.intake"]')
    error.wait_for()
    page.wait_for_function("document.querySelector('.error[data-for=\"capacity.intake\"]')"
                           ".textContent.includes('expected')")
    page.fill('input[name="capacity.intake"]', "3")
    page.fill('input[name="at"]', "40")
    page.fill('input[name="replications"]', "3")
    page.click("#run")
    page.locator("#result .verdict li").first.wait_for(timeout=120_000)
    assert page.locator("#result h2").first.inner_text() == "Oordeel"
    area = page.locator("#chart #hover")
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    assert box is not None
    area.hover(position={"x": box["width"] * 0.6, "y": box["height"] / 2})
    tip = page.locator("#tip")
    tip.wait_for(state="visible")
    assert "basis" in tip.inner_text() and "wat-als" in tip.inner_text()
    with page.expect_download() as download:
        page.click("text=Wat-als als scenario (TOML)")
    saved = tmp_path / "wat-als.toml"
    download.value.save_as(saved)
    assert '"step.intake.capacity" = 3' in saved.read_text(encoding="utf-8")


def test_cancel_in_the_browser(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/scenario/keten/klein.toml")
    page.fill('input[name="replications"]', "50")
    page.click("#run")
    page.locator("#cancel").wait_for(state="visible")
    page.click("#cancel")
    page.wait_for_function("document.getElementById('status').textContent.includes('Geannuleerd')")
    assert not page.locator("#run").is_disabled()
