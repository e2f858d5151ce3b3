"""`/wi3 about`: the WI3 model in the product's own content, with its authors and caveat.

Everything comes from the content files (`model/content/about.toml`, `elements.toml`,
`phases.toml`), so what the model says and whose it is stays in one place for consultants
to edit; App Home shows the short version, and every results post points here.
"""

from __future__ import annotations

from slack_sdk.models.blocks import Block, DividerBlock

from conversations.i18n import normalise_lang, t
from conversations.views.common import Message, context, header, message, section
from model import Content, Element, Phase, load_content


def about_message(lang: str, content: Content | None = None) -> Message:
    """The model: what it looks at, its four elements, the authors' three phases and,
    apart from them, the stage before the first that this product added; whose it is."""
    content = content or load_content()
    language = normalise_lang(lang)
    about = content.about
    elements = [t(lang, "about.item", name=content.elements[e].name.get(language),
                  description=content.elements[e].description.get(language)) for e in Element]
    phases = {p: t(lang, "about.phase", number=int(p), name=content.phases[p].name.get(language),
                   description=content.phases[p].description.get(language)) for p in Phase}
    blocks: list[Block] = [
        header(t(lang, "about.title")),
        section(about.intro.get(language)),
        section("\n".join([t(lang, "about.elements"), *elements])),
        section("\n".join([t(lang, "about.phases"),
                           *(line for p, line in phases.items() if p.from_the_article)])),
        section("\n".join([t(lang, "about.phases_ours"),
                           *(line for p, line in phases.items() if not p.from_the_article)])),
        DividerBlock(),
        context(about.source.get(language), about.operationalisation.get(language)),
    ]
    return message(t(lang, "about.title"), blocks)


def about_summary(lang: str, content: Content) -> list[str]:
    """The model in three lines, for App Home: elements, the authors' three phases, and
    whose it is (the caveat names "getting started" as ours)."""
    language = normalise_lang(lang)
    names = ", ".join(content.elements[e].name.get(language) for e in Element)
    phases = " → ".join(content.phases[p].name.get(language) for p in Phase
                        if p.from_the_article)
    return [t(lang, "about.summary", elements=names, phases=phases),
            f"{content.about.source.get(language)} "
            f"{content.about.operationalisation.get(language)}"]
