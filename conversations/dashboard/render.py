"""Pages as HTML: Jinja2 templates from this package, autoescaped, pure.

A page model in, a string out. Every value reaches the HTML escaped (autoescape on, with
`StrictUndefined` so a missing value fails in tests rather than printing nothing); the
only markup passed through is what `blockkit` built from escaped text. The words come
from the catalogs (`dashboard.*`, and the results' own), in the viewer's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from conversations.dashboard.colours import cell_styles
from conversations.dashboard.flow import (
    MIN_TEAMS_TO_COMPARE,
    HomePage,
    RoundPage,
    StandingPage,
    TeamPage,
)
from conversations.dashboard.organisation import PHASES, SORTS, OrgPage
from conversations.dashboard.svg import distribution
from conversations.i18n import normalise_lang, t
from conversations.report.overview import STATES, state_label
from model import Content, Element

BASE = "/dashboard"


@dataclass(frozen=True)
class Chrome:
    """What every page's frame shows: who is signed in, the sign-out form's token."""

    lang: str
    signed_in: bool = False
    who: str = ""
    csrf: str = ""
    organisation: bool = False


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("conversations.dashboard", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _render(name: str, chrome: Chrome, **values: Any) -> str:
    lang = normalise_lang(chrome.lang)

    def text(key: str, **fields: object) -> str:
        return t(lang, key, **fields)

    template = _environment().get_template(name)
    return template.render(lang=lang, t=text, base=BASE, chrome=chrome,
                           distribution=distribution, **values)


def sign_in_page(chrome: Chrome, *, start: str | None, problem: str | None = None) -> str:
    return _render("signin.html", chrome, start=start, problem=problem)


def message_page(chrome: Chrome, heading: str, text: str, *, link: str | None = None,
                 link_text: str = "") -> str:
    return _render("message.html", chrome, heading=heading, text=text, link=link,
                   link_text=link_text)


def home_page(chrome: Chrome, page: HomePage) -> str:
    return _render("home.html", chrome, page=page)


def organisation_page(chrome: Chrome, page: OrgPage, content: Content) -> str:
    lang = normalise_lang(chrome.lang)
    return _render(
        "organisation.html", chrome, page=page, phases=PHASES, sorts=SORTS, states=STATES,
        state_names={state: state_label(lang, state, content) for state in STATES},
        phase_names={value: state_label(lang, value, content) if value.isdigit()
                     else t(lang, f"dashboard.org.phase_{value}") for value in PHASES},
        elements=[(e.value, content.elements[e].name.get(lang)) for e in Element],
        page_numbers=page_numbers(page.page, page.pages))


def team_page(chrome: Chrome, page: TeamPage) -> str:
    return _render("team.html", chrome, page=page)


def round_page(chrome: Chrome, page: RoundPage) -> str:
    return _render("round.html", chrome, page=page)


def standing_page(chrome: Chrome, page: StandingPage) -> str:
    return _render("standing.html", chrome, page=page, needed=MIN_TEAMS_TO_COMPARE)


def page_numbers(current: int, pages: int, around: int = 2) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 100: the first, the last and a few around the current page
    (None: a gap)."""
    wanted = {1, pages, *range(current - around, current + around + 1)}
    shown = sorted(n for n in wanted if 1 <= n <= pages)
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


@cache
def stylesheet() -> bytes:
    """The dashboard's stylesheet: the package's rules and the heat map's colours."""
    rules = files("conversations.dashboard").joinpath("static/dashboard.css").read_text()
    return (rules + "\n" + cell_styles() + "\n").encode("utf-8")
