"""The dashboard in a real browser (headless Chromium), on both backends: each role signs
in through the emulated Slack and sees exactly what it may (403 elsewhere), the filters
work without JavaScript, pages fit a phone, a screenshot of each page is kept, and axe
finds no serious accessibility violation."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from tests.dashboard import seed
from tests.dashboard.browser import browser, screenshot, serious_violations
from tests.dashboard.conftest import Served

if TYPE_CHECKING:
    from playwright._impl._api_structures import SetCookieParam
    from playwright.sync_api import Browser, Locator, Page

__all__ = ["browser"]
PHONE = {"width": 390, "height": 844}
WIDEST = """[...document.querySelectorAll('body *')]
  .map(e => [e.getBoundingClientRect().right, e.tagName + '.' + e.className])
  .filter(([r]) => r > window.innerWidth).slice(0, 5)"""


def sign_in(browser: Browser, served: Served, name: str, *, javascript: bool = False,
            shot: str | None = None, **options: object) -> Page:
    """A new browser (own cookies) signs in as `name` through Slack's sign-in page
    (`shot`: keep screenshots of the sign-in page and the first page after it)."""
    context = browser.new_context(java_script_enabled=javascript, **options)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(served.dashboard)
    if shot:
        checked(page, f"{shot}-sign-in")
    go(page, page.get_by_role("link", name="Sign in with Slack"))
    go(page, page.get_by_role("link", name=name))
    page.wait_for_url(served.dashboard)
    if shot:
        screenshot(page, f"{shot}-home")
    return page


def go(page: Page, link: Locator) -> None:
    """Click a link or a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        link.click()


def checked(page: Page, name: str) -> None:
    """Keep a screenshot, and no serious accessibility violation on the page (axe is a
    script: it runs in a second browser with the same cookies and JavaScript on)."""
    screenshot(page, name)
    scanner = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        scanner.add_cookies(cast("list[SetCookieParam]", page.context.cookies()))
        scanned = scanner.new_page()
        scanned.goto(page.url)
        assert serious_violations(scanned) == [], name
    finally:
        scanner.close()


def heat_rows(page: Page) -> list[str]:
    return [row.inner_text().split()[0] for row in
            page.locator("table.heatmap tbody tr").all()]


def test_roles_filters_screenshots_and_accessibility(browser: Browser, served: Served,
                                                    store_backend: object) -> None:
    d, rounds, led = served.dashboard, served.rounds, seed.LED[0]
    name = getattr(store_backend, "name", "store")
    admin = sign_in(browser, served, "Ada Admin (U0ADMIN01)", shot=name)
    go(admin, admin.get_by_role("link", name="Organisation").first)
    assert admin.get_by_role("heading", level=1).inner_text() == "The organisation at a glance"
    assert len(heat_rows(admin)) == 8
    admin.get_by_label("Phase", exact=True).select_option(label="Too few answers")
    go(admin, admin.get_by_role("button", name="Apply"))
    assert heat_rows(admin) == [f"#{seed.WITHHELD}"]
    admin.get_by_label("Phase", exact=True).select_option(label="Any")
    admin.get_by_label("Subject contains").fill("WIKI")
    admin.get_by_label("Lead (Slack user id)").fill(seed.LEAD)
    go(admin, admin.get_by_role("button", name="Apply"))
    assert sorted(heat_rows(admin)) == [f"#{c}" for c in sorted(seed.LED)]
    go(admin, admin.get_by_role("link", name="Clear filters"))
    admin.get_by_label("Sort", exact=True).select_option(label="By channel")
    go(admin, admin.get_by_role("button", name="Apply"))
    assert heat_rows(admin) == sorted(heat_rows(admin))
    checked(admin, f"{name}-organisation")

    go(admin, admin.get_by_role("link", name=f"#{led}").first)
    assert admin.get_by_role("heading", name="Statements and how the team answered").count()
    checked(admin, f"{name}-team")
    admin.goto(f"{d}/rounds/{rounds[f'{led}-1']}")
    assert admin.get_by_role("link", name="Download the report (PDF)").count() == 1
    checked(admin, f"{name}-round")
    admin.goto(f"{d}/teams/{led}/standing")
    screenshot(admin, f"{name}-standing")
    go(admin, admin.get_by_role("button", name="Sign out"))
    assert admin.get_by_text("You are signed out.").count() == 1
    admin.goto(f"{d}/organisation")
    assert "Sign in" in admin.title()

    lead = sign_in(browser, served, "Lea Leider (U0LEAD001)")
    assert lead.get_by_role("heading", level=1).inner_text() == "Je teams"
    assert lead.goto(f"{d}/organisation").status == 403  # type: ignore[union-attr]
    assert lead.goto(f"{d}/teams/{seed.TEAMS[3]}").status == 403  # type: ignore[union-attr]
    assert lead.goto(f"{d}/teams/{led}").status == 200  # type: ignore[union-attr]
    assert lead.get_by_role("heading", name="Vragen om als team te bespreken").count() == 1
    screenshot(lead, f"{name}-team-lead-nl")

    member = sign_in(browser, served, "Member 1 (U0MEMB001)", viewport=PHONE)
    go(member, member.get_by_role("link", name=f"#{led}"))
    assert member.get_by_role("heading", name="Statements and how the team answered").count() == 0
    assert member.get_by_text("Demo the wiki <b>every</b> Friday").count() == 1
    screenshot(member, f"{name}-team-member-phone")
    assert member.goto(f"{d}/rounds/{rounds['unposted']}").status == 403  # type: ignore[union-attr]
    assert member.goto(f"{d}/rounds/{rounds[f'{led}-1']}/report.pdf").status == 403  # type: ignore[union-attr]

    phone = sign_in(browser, served, "Ada Admin (U0ADMIN01)", javascript=True, viewport=PHONE)
    phone.goto(f"{d}/organisation")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        phone.evaluate(WIDEST)
    checked(phone, f"{name}-organisation-phone")
