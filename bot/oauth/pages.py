"""The web pages of an installation: "Add to Slack", done, and why it did not work.

Pure builders (HTML strings) in the installer's language, chosen from the browser's
`Accept-Language`; the words are in the catalogs (`conversations/i18n/*/install.toml`).
"""

from __future__ import annotations

from html import escape

from conversations.i18n import DEFAULT_LANG, LANGUAGES, Lang, t

FAILURES = {
    "access_denied": "install.failed_cancelled",
    "invalid_browser": "install.failed_expired",
    "invalid_state": "install.failed_expired",
    "storage_error": "install.failed_saving",
}
"""Bolt's failure reasons that have their own explanation; others name Slack's reason."""


def browser_lang(accept_language: str | None) -> Lang:
    """The first of the browser's languages (by their q-values) that wi3 speaks."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().split("-")[0].lower()))
    for negative_quality, _, code in sorted(ranked):
        if negative_quality < 0:
            for lang in LANGUAGES:
                if code == lang:
                    return lang
    return DEFAULT_LANG


def install_page(lang: Lang, authorize_url: str) -> str:
    return _page(lang, t(lang, "install.heading"), [
        _p(t(lang, "install.intro")),
        _p(t(lang, "install.what_it_asks")),
        f'<p><a class="button" href="{escape(authorize_url)}">'
        f'{escape(t(lang, "install.button"))}</a></p>',
        _p(t(lang, "install.per_workspace")),
    ])


def done_page(lang: Lang, workspace: str, open_url: str) -> str:
    return _page(lang, t(lang, "install.done_heading", workspace=workspace), [
        _p(t(lang, "install.done_text")),
        f'<p><a class="button" href="{escape(open_url)}">{escape(t(lang, "install.open_slack"))}'
        "</a></p>",
    ])


def failed_page(lang: Lang, reason: str, install_path: str) -> str:
    key = FAILURES.get(reason)
    explanation = t(lang, key) if key else t(lang, "install.failed_slack", reason=reason)
    return _page(lang, t(lang, "install.failed_heading"), [
        _p(explanation), _again(lang, install_path)])


def org_refused_page(lang: Lang, install_path: str) -> str:
    return _page(lang, t(lang, "install.org_heading"), [
        _p(t(lang, "install.org_text")), _again(lang, install_path)])


def _again(lang: Lang, install_path: str) -> str:
    return f'<p><a href="{escape(install_path)}">{escape(t(lang, "install.start_again"))}</a></p>'


def _p(text: str) -> str:
    return f"<p>{escape(text)}</p>"


def _page(lang: Lang, heading: str, body: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(t(lang, 'install.page_title'))}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;"
        "padding:0 1rem;line-height:1.5;color:#1d1c1d}"
        ".button{display:inline-block;padding:.6rem 1.2rem;border-radius:.3rem;"
        "background:#4a154b;color:#fff;text-decoration:none;font-weight:600}</style>",
        f"</head><body><h1>{escape(heading)}</h1>",
        *body,
        "</body></html>",
    ])
