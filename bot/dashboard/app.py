"""The web dashboard as a WSGI application under `/dashboard`.

HTTP mode mounts it beside `/slack/events` (`bot.http_server.SlackWsgiApp`); anything
that serves WSGI (the side port in Socket Mode) can mount it too. It does the web's part
only: routes, Sign in with Slack (`signin`), signed session cookies (`sessions`), CSRF
tokens on every form that changes something, rate limits on signing in, security headers.
What a page holds and who may see it is `conversations.dashboard`'s; who is an admin and
which language they read comes from the bot's cache of people (`bot.people`), never from a
Slack call per page.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from bot.dashboard.ratelimit import Attempts
from bot.dashboard.sessions import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    SIGN_IN_COOKIE,
    SIGN_IN_SECONDS,
    Session,
    Signer,
    cleared,
    cookie_header,
    read_cookies,
)
from bot.dashboard.signin import Problem, SignIn
from bot.drawing import Drawer
from bot.oauth.pages import browser_lang
from conversations.dashboard import render
from conversations.dashboard.access import Viewer
from conversations.dashboard.flow import DashboardFlow, Refusal
from conversations.i18n import normalise_lang, t
from model import Content
from storage import StorageError

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

PREFIX = "/dashboard"
SESSION_PURPOSE = "session"
CSRF_PURPOSE = "csrf"
MAX_FORM_BYTES = 4096
HTML = "text/html; charset=utf-8"
SECURITY_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
]
_ID = r"[A-Z0-9]{1,40}"
_ROUND = r"[0-9A-Za-z-]{1,60}"
ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern)) for name, pattern in (
        ("home", r""), ("organisation", r"/organisation"),
        ("team", rf"/teams/(?P<channel>{_ID})"),
        ("standing", rf"/teams/(?P<channel>{_ID})/standing"),
        ("round", rf"/rounds/(?P<round>{_ROUND})"),
        ("report", rf"/rounds/(?P<round>{_ROUND})/report\.pdf"),
        ("sign_in", r"/signin"), ("sign_in_done", r"/signin/done"),
        ("sign_out", r"/signout"), ("stylesheet", r"/static/dashboard\.css"),
    ))
POSTS = frozenset({"sign_out"})

IsAdmin = Callable[[str, str], bool]
P = TypeVar("P")


@dataclass
class Reply:
    status: str
    body: bytes
    headers: list[tuple[str, str]]


class DashboardApp:
    """`/dashboard` and below; `public_url` (https://host) makes cookies Secure and the
    sign-in's redirect URL absolute; without it the request's own host is used."""

    def __init__(self, flow: DashboardFlow, content: Content, *, is_admin: IsAdmin,
                 signer: Signer, sign_in: SignIn | None, drawer: Drawer,
                 public_url: str | None = None, attempts: Attempts | None = None) -> None:
        self.flow = flow
        self.content = content
        self.is_admin = is_admin
        self.signer = signer
        self.sign_in_flow = sign_in
        self.drawer = drawer
        self.public_url = public_url.rstrip("/") if public_url else None
        self.attempts = attempts or Attempts()

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        try:
            reply = self._route(environ)
        except StorageError as error:
            logger.warning("dashboard: the store could not be read (%s)", error)
            reply = self._message(environ, None, "503 Service Unavailable", "unavailable")
        except Exception:
            logger.exception("dashboard: a page failed")
            reply = self._message(environ, None, "500 Internal Server Error", "unavailable")
        headers = [*reply.headers, *SECURITY_HEADERS, ("Content-Length", str(len(reply.body)))]
        if self._secure(environ):
            headers.append(("Strict-Transport-Security", "max-age=31536000"))
        start_response(reply.status, headers)
        return [reply.body] if environ.get("REQUEST_METHOD") != "HEAD" else [b""]

    # -- routing --------------------------------------------------------------------------

    def _route(self, environ: WSGIEnvironment) -> Reply:
        path = str(environ.get("PATH_INFO", ""))[len(PREFIX):].rstrip("/")
        method = str(environ.get("REQUEST_METHOD", "GET"))
        for name, pattern in ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            allowed = ("POST",) if name in POSTS else ("GET", "HEAD")
            if method not in allowed:
                return Reply("405 Method Not Allowed", b"", [("Allow", ", ".join(allowed))])
            handler: Callable[[WSGIEnvironment, dict[str, str]], Reply] = getattr(
                self, f"_{name}")
            return handler(environ, match.groupdict())
        return self._message(environ, self._session(environ), "404 Not Found", "not_found")

    def _stylesheet(self, environ: WSGIEnvironment, _: dict[str, str]) -> Reply:
        return Reply("200 OK", render.stylesheet(), [("Content-Type", "text/css; charset=utf-8"),
                                                     ("Cache-Control", "public, max-age=3600")])

    # -- signing in and out ---------------------------------------------------------------

    def _sign_in(self, environ: WSGIEnvironment, _: dict[str, str]) -> Reply:
        lang = _browser_lang(environ)
        if self.sign_in_flow is None:
            return self._page("200 OK", render.sign_in_page(render.Chrome(lang), start=None))
        if not self.attempts.allow(_client(environ)):
            return self._sign_in_problem(environ, "429 Too Many Requests",
                                         Problem("rate_limited"))
        then = _query(environ).get("then", "")
        url, state = self.sign_in_flow.start(self._url(environ, "/signin/done"),
                                             then if _is_ours(then) else "")
        return Reply("303 See Other", b"", [
            ("Location", url), ("Cache-Control", "no-store"),
            cookie_header(SIGN_IN_COOKIE, state, seconds=SIGN_IN_SECONDS,
                          secure=self._secure(environ))])

    def _sign_in_done(self, environ: WSGIEnvironment, _: dict[str, str]) -> Reply:
        if self.sign_in_flow is None:
            return self._message(environ, None, "404 Not Found", "not_found")
        cookie = _cookies(environ).get(SIGN_IN_COOKIE)
        found = self.sign_in_flow.finish(_query(environ), cookie)
        if isinstance(found, Problem):
            logger.info("dashboard: a sign-in did not work (%s %s)", found.key, found.reason)
            return self._sign_in_problem(environ, "400 Bad Request", found)
        session, then = found
        logger.info("dashboard: %s of %s signed in", session.user_id, session.workspace_id)
        secure = self._secure(environ)
        token = self.signer.sign(SESSION_PURPOSE, session.to_payload(), SESSION_SECONDS)
        return Reply("303 See Other", b"", [
            ("Location", then if _is_ours(then) else PREFIX), ("Cache-Control", "no-store"),
            cookie_header(SESSION_COOKIE, token, seconds=SESSION_SECONDS, secure=secure),
            cleared(SIGN_IN_COOKIE, secure=secure)])

    def _sign_out(self, environ: WSGIEnvironment, _: dict[str, str]) -> Reply:
        session = self._session(environ)
        if session is None:
            return self._see(PREFIX)
        if not self._csrf_ok(environ, session):
            return self._message(environ, session, "400 Bad Request", "bad_request")
        lang = normalise_lang(session.lang)
        body = render.sign_in_page(render.Chrome(lang), start=self._start(),
                                   problem=t(lang, "dashboard.signin.signed_out"))
        return Reply("200 OK", body.encode(), [
            ("Content-Type", HTML), ("Cache-Control", "no-store"),
            cleared(SESSION_COOKIE, secure=self._secure(environ))])

    # -- pages ----------------------------------------------------------------------------

    def _home(self, environ: WSGIEnvironment, _: dict[str, str]) -> Reply:
        session = self._session(environ)
        if session is None:
            return self._page("200 OK", render.sign_in_page(
                render.Chrome(_browser_lang(environ)), start=self._start()))
        viewer = self._viewer(session)
        return self._page("200 OK", render.home_page(self._chrome(session, viewer),
                                                     self.flow.home(viewer)))

    def _organisation(self, environ: WSGIEnvironment, _: dict[str, str]) -> Reply:
        return self._signed_in(environ, lambda session, viewer: self._shown(
            environ, session, self.flow.organisation(viewer, _query(environ)),
            lambda page: render.organisation_page(self._chrome(session, viewer), page,
                                                  self.content)))

    def _team(self, environ: WSGIEnvironment, found: dict[str, str]) -> Reply:
        return self._signed_in(environ, lambda session, viewer: self._shown(
            environ, session, self.flow.team(viewer, found["channel"]),
            lambda page: render.team_page(self._chrome(session, viewer), page)))

    def _standing(self, environ: WSGIEnvironment, found: dict[str, str]) -> Reply:
        return self._signed_in(environ, lambda session, viewer: self._shown(
            environ, session, self.flow.standing(viewer, found["channel"]),
            lambda page: render.standing_page(self._chrome(session, viewer), page)))

    def _round(self, environ: WSGIEnvironment, found: dict[str, str]) -> Reply:
        return self._signed_in(environ, lambda session, viewer: self._shown(
            environ, session, self.flow.round(viewer, found["round"]),
            lambda page: render.round_page(self._chrome(session, viewer), page)))

    def _report(self, environ: WSGIEnvironment, found: dict[str, str]) -> Reply:
        def pdf(session: Session, viewer: Viewer) -> Reply:
            made = self.flow.report(viewer, found["round"])
            if isinstance(made, Refusal):
                return self._refused(environ, session, made)
            filename, drawing = made
            return Reply("200 OK", self.drawer.draw(drawing), [
                ("Content-Type", "application/pdf"), ("Cache-Control", "no-store"),
                ("Content-Disposition", f'attachment; filename="{filename}"')])

        return self._signed_in(environ, pdf)

    # -- helpers --------------------------------------------------------------------------

    def _signed_in(self, environ: WSGIEnvironment,
                   page: Callable[[Session, Viewer], Reply]) -> Reply:
        session = self._session(environ)
        if session is None:
            then = str(environ.get("PATH_INFO", ""))
            query = str(environ.get("QUERY_STRING", ""))
            if query:
                then += "?" + query
            return self._see(f"{PREFIX}/signin?{urlencode({'then': then})}"
                             if self.sign_in_flow else PREFIX)
        return page(session, self._viewer(session))

    def _shown(self, environ: WSGIEnvironment, session: Session, found: P | Refusal,
               html: Callable[[P], str]) -> Reply:
        if isinstance(found, Refusal):
            return self._refused(environ, session, found)
        return self._page("200 OK", html(found))

    def _refused(self, environ: WSGIEnvironment, session: Session, refusal: Refusal) -> Reply:
        if refusal == Refusal.FORBIDDEN:
            return self._message(environ, session, "403 Forbidden", "forbidden")
        return self._message(environ, session, "404 Not Found", "not_found")

    def _session(self, environ: WSGIEnvironment) -> Session | None:
        payload = self.signer.read(SESSION_PURPOSE, _cookies(environ).get(SESSION_COOKIE))
        return Session.from_payload(payload) if payload is not None else None

    def _viewer(self, session: Session) -> Viewer:
        return Viewer(session.workspace_id, session.user_id, normalise_lang(session.lang),
                      is_admin=self.is_admin(session.workspace_id, session.user_id))

    def _chrome(self, session: Session, viewer: Viewer) -> render.Chrome:
        return render.Chrome(viewer.lang, signed_in=True, who=session.name,
                             csrf=self.signer.token(CSRF_PURPOSE, session.sid),
                             organisation=viewer.is_admin)

    def _csrf_ok(self, environ: WSGIEnvironment, session: Session) -> bool:
        form = _form(environ)
        expected = self.signer.token(CSRF_PURPOSE, session.sid)
        given = form.get("csrf", "")
        return bool(given) and hmac.compare_digest(given.encode(), expected.encode())

    def _message(self, environ: WSGIEnvironment, session: Session | None, status: str,
                 key: str) -> Reply:
        if session is not None:
            viewer = Viewer(session.workspace_id, session.user_id, normalise_lang(session.lang))
            chrome = render.Chrome(viewer.lang, signed_in=True, who=session.name,
                                   csrf=self.signer.token(CSRF_PURPOSE, session.sid))
        else:
            chrome = render.Chrome(_browser_lang(environ))
        lang = chrome.lang
        body = render.message_page(chrome, t(lang, f"dashboard.error.{key}_heading"),
                                   t(lang, f"dashboard.error.{key}"), link=PREFIX,
                                   link_text=t(lang, "dashboard.error.back"))
        return self._page(status, body)

    def _sign_in_problem(self, environ: WSGIEnvironment, status: str,
                         problem: Problem) -> Reply:
        lang = _browser_lang(environ)
        text = t(lang, f"dashboard.signin.{problem.key}", reason=problem.reason) \
            if problem.key == "failed" else t(lang, f"dashboard.signin.{problem.key}")
        body = render.sign_in_page(render.Chrome(lang), start=self._start(), problem=text)
        return Reply(status, body.encode(), [("Content-Type", HTML), ("Cache-Control", "no-store"),
                                             cleared(SIGN_IN_COOKIE, secure=self._secure(environ))])

    def _start(self) -> str | None:
        return f"{PREFIX}/signin" if self.sign_in_flow is not None else None

    def _page(self, status: str, html: str) -> Reply:
        return Reply(status, html.encode("utf-8"), [("Content-Type", HTML),
                                                    ("Cache-Control", "no-store")])

    def _see(self, location: str) -> Reply:
        return Reply("303 See Other", b"", [("Location", location),
                                             ("Cache-Control", "no-store")])

    def _url(self, environ: WSGIEnvironment, path: str) -> str:
        if self.public_url:
            return f"{self.public_url}{PREFIX}{path}"
        scheme = str(environ.get("wsgi.url_scheme", "http"))
        host = str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "localhost"))
        return f"{scheme}://{host}{PREFIX}{path}"

    def _secure(self, environ: WSGIEnvironment) -> bool:
        if self.public_url:
            return self.public_url.startswith("https://")
        return environ.get("wsgi.url_scheme") == "https"


def _query(environ: WSGIEnvironment) -> dict[str, str]:
    return dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))


def _form(environ: WSGIEnvironment) -> dict[str, str]:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM_BYTES)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return {}


def _cookies(environ: WSGIEnvironment) -> dict[str, str]:
    return read_cookies(str(environ.get("HTTP_COOKIE", "")))


def _is_ours(path: str) -> bool:
    """Only a path of the dashboard itself is a place to go after signing in."""
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc and path.startswith(PREFIX) \
        and "//" not in path and "\\" not in path


def _client(environ: WSGIEnvironment) -> str:
    """Who is asking, for the sign-in rate limit: the peer, or when the peer is a proxy on
    a private network (nginx in compose), the client it names in `X-Real-IP` (waitress
    drops `X-Forwarded-For` from proxies it was not told to trust)."""
    peer = str(environ.get("REMOTE_ADDR", ""))
    named = str(environ.get("HTTP_X_REAL_IP", "")).strip()
    try:
        behind_proxy = ipaddress.ip_address(peer).is_private
    except ValueError:
        behind_proxy = False
    return named[:64] if behind_proxy and named else peer


def _browser_lang(environ: WSGIEnvironment) -> str:
    """Before anyone is signed in: the browser's language (after, their Slack locale)."""
    return browser_lang(str(environ.get("HTTP_ACCEPT_LANGUAGE", "")))
