"""edi view in a real browser: headless Chromium driven by Selenium with the system chromedriver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edi.validate.runner import validate_file
from edi.view import render_html
from tests.conftest import TWO_FAULTS, seeded_batch, service_missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.is_file() or not CHROMEDRIVER.is_file():
        service_missing(f"headless Chromium needs {CHROMIUM} and {CHROMEDRIVER} (Debian chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1280,1600",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def faulty_page(tmp_path: Path) -> tuple[Path, list[Any]]:
    source = seeded_batch(tmp_path, *TWO_FAULTS)
    _, issues = validate_file(source)
    page = tmp_path / "faulty.html"
    page.write_text(render_html(source), encoding="utf-8")
    return page, issues


def test_each_finding_is_shown_at_its_segment(browser: Any, faulty_page: tuple[Path, list[Any]]) -> None:
    from selenium.webdriver.common.by import By

    page, issues = faulty_page
    browser.get(page.as_uri())
    assert len(issues) == 2
    for issue in issues:
        (finding,) = browser.find_elements(By.CSS_SELECTOR, f'li.finding[data-rule="{issue.rule}"]')
        assert finding.is_displayed()
        assert issue.message in finding.text
        segment = finding.find_element(By.XPATH, "ancestor::div[contains(@class, 'seg')]")
        assert segment.get_attribute("data-position") == str(issue.segment_position)
        assert segment.get_attribute("data-segment") == issue.segment_id
        bad = segment.find_element(By.CSS_SELECTOR, f'.el.bad[data-ref="{issue.element}"]')
        assert issue.rule in (bad.get_attribute("title") or "")


def test_folding_and_unfolding_a_loop(browser: Any, faulty_page: tuple[Path, list[Any]], tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    page, _ = faulty_page
    browser.get(page.as_uri())
    claim = browser.find_elements(By.CSS_SELECTOR, 'details[data-loop="2300"]')[1]
    clm = claim.find_element(By.CSS_SELECTOR, 'div.seg[data-segment="CLM"]')
    summary = claim.find_element(By.TAG_NAME, "summary")
    assert claim.get_attribute("open") is not None and clm.is_displayed()
    summary.click()
    assert claim.get_attribute("open") is None
    assert not clm.is_displayed()
    browser.save_screenshot(str(tmp_path / "folded.png"))
    summary.click()
    assert claim.get_attribute("open") is not None and clm.is_displayed()
    shot = tmp_path / "unfolded.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 0 and (tmp_path / "folded.png").stat().st_size > 0


def test_a_finding_link_unfolds_its_loops(browser: Any, faulty_page: tuple[Path, list[Any]]) -> None:
    from selenium.webdriver.common.by import By

    page, issues = faulty_page
    browser.get(page.as_uri())
    browser.find_element(By.ID, "collapse-all").click()
    target = browser.find_element(By.CSS_SELECTOR, f'li.finding[data-rule="{issues[0].rule}"]')
    assert not target.is_displayed()
    browser.find_element(By.CSS_SELECTOR, ".findings-table a").click()
    assert target.is_displayed()


def test_element_names_show_on_hover(browser: Any, faulty_page: tuple[Path, list[Any]]) -> None:
    from selenium.webdriver.common.by import By

    page, _ = faulty_page
    browser.get(page.as_uri())
    element = browser.find_element(By.CSS_SELECTOR, 'div.seg[data-segment="CLM"] .el[data-ref="CLM01"]')
    assert element.get_attribute("title") == "CLM01 Patient Control Number"
    assert element.text == "PCN-1001"
