"""A browser's part over plain HTTP: cookies, redirects across the dashboard and the
emulated Slack, and the form fields a page shows. For the tests that need no Chromium."""

from __future__ import annotations

import html
import http.client
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    body: str
    url: str
    set_cookies: list[str] = field(default_factory=list)

    def text(self) -> str:
        """What a reader sees (tags removed, whitespace squeezed)."""
        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.body)).strip())


class Visitor:
    def __init__(self, address: str | None = None) -> None:
        self.cookies: dict[str, str] = {}
        self.address = address

    def get(self, url: str, *, follow: bool = True, **query: str) -> Page:
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        return self._go("GET", url, None, follow)

    def post(self, url: str, form: dict[str, str], *, follow: bool = False) -> Page:
        return self._go("POST", url, urlencode(form).encode(), follow)

    def _go(self, method: str, url: str, body: bytes | None, follow: bool) -> Page:
        for _ in range(10):
            page = self._once(method, url, body)
            location = page.headers.get("location")
            if not follow or page.status not in (301, 302, 303, 307) or not location:
                return page
            method, body, url = "GET", None, urljoin(url, location)
        raise AssertionError("too many redirects")

    def _once(self, method: str, url: str, body: bytes | None) -> Page:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.netloc, timeout=30)
        headers = {"Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.address:
            headers["X-Real-IP"] = self.address
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        set_cookies = response.headers.get_all("Set-Cookie") or []
        page = Page(response.status, {k.lower(): v for k, v in response.getheaders()},
                    response.read().decode("utf-8", "replace"), url, set_cookies)
        connection.close()
        for cookie in set_cookies:
            name, _, rest = cookie.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return page

    def sign_in(self, dashboard: str, user: str, team: str | None = None) -> Page:
        """Through Slack's sign-in page as `user` (of `team`), back to the dashboard; the
        session cookie is HttpOnly, SameSite and only for the dashboard."""
        start = self.get(dashboard + "/signin", follow=False)
        assert start.status == 303, start.body
        chosen = {"user": user, **({"team": team} if team else {})}
        back = self.get(start.headers["location"], follow=False, **chosen)
        done = self.get(back.headers["location"], follow=False)
        for cookie in done.set_cookies:
            if cookie.startswith("wi3_session="):
                assert "; HttpOnly" in cookie and "; SameSite=Lax" in cookie
                assert "; Path=/dashboard" in cookie
        if done.status != 303:
            return done
        return self.get(urljoin(done.url, done.headers["location"]))

    def csrf(self, page: Page) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', page.body)
        assert found, "no CSRF field on the page"
        return found.group(1)
