"""Load and validate the content files in `model/content/`.

Consultants edit these TOML files by hand, so every mistake must come back as one
`ContentError` that names the file, the key and the problem, never as a KeyError deep
in the scoring code. Unknown keys are errors too: a typo such as `nll` would otherwise
silently drop a translation.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from model.elements import LANGS, Element, ElementInfo, Phase, PhaseInfo, Text
from model.questionnaire import About, Content, Item, Option, Questionnaire, Tip, TipLevel

CONTENT_DIR = Path(__file__).parent / "content"
ELEMENTS_FILE = "elements.toml"
PHASES_FILE = "phases.toml"
QUESTIONNAIRE_FILE = "questionnaire.toml"
TIPS_FILE = "tips.toml"
ABOUT_FILE = "about.toml"
DISCUSSION_FILE = "discussion.toml"

LANG_NAMES = {"en": "English", "nl": "Dutch"}
ITEM_PHASES = (Phase.PIONEERING, Phase.FACILITATING, Phase.STRATEGIC)
SCALE_POINTS = 5
QUESTIONS_PER_ITEM = (1, 2)
"""How many open questions each statement has for the discussion guide (fewest, most)."""
_K = TypeVar("_K")
_V = TypeVar("_V")


class ContentError(Exception):
    """A content file is malformed or incomplete; says which file, which key, what is wrong."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}")
        self.file = file
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class _File:
    """One parsed content file, with helpers that raise ContentError naming it."""

    name: str
    data: dict[str, Any]

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(self.name, key, problem)

    def table(self, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, found {_kind(value)}")
        return value

    def keys(
        self, key: str, table: dict[str, Any], required: Iterable[str], optional: Iterable[str] = ()
    ) -> None:
        """Every required key present, nothing unknown."""
        required = tuple(required)
        for name in required:
            if name not in table:
                raise self.fail(_join(key, name), "missing")
        allowed = set(required) | set(optional)
        for name in table:
            if name not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.fail(_join(key, name), f"unknown key (expected one of {expected})")

    def string(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, found {_kind(value)}")
        if not value.strip():
            raise self.fail(key, "empty text")
        return value.strip()

    def integer(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, found {_kind(value)}")
        return value

    def array(self, key: str, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected an array, found {_kind(value)}")
        return value

    def text(self, key: str, value: Any) -> Text:
        """A table with non-empty `en` and `nl`."""
        table = self.table(key, value)
        for lang in LANGS:
            if lang not in table or (isinstance(table[lang], str) and not table[lang].strip()):
                raise self.fail(_join(key, lang), f"missing {LANG_NAMES[lang]} text")
        self.keys(key, table, LANGS)
        return Text(en=self.string(_join(key, "en"), table["en"]),
                    nl=self.string(_join(key, "nl"), table["nl"]))

    def element(self, key: str, value: Any) -> Element:
        name = self.string(key, value)
        try:
            return Element(name)
        except ValueError:
            expected = ", ".join(e.value for e in Element)
            raise self.fail(key, f"unknown element {name!r} (expected one of {expected})") from None

    def phase(self, key: str, value: Any, allowed: tuple[Phase, ...]) -> Phase:
        number = self.integer(key, value)
        if number not in allowed:
            low, high = min(allowed), max(allowed)
            raise self.fail(key, f"phase {number} out of range {low:d}..{high:d}")
        return Phase(number)

    def entries(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        """An array of tables, each with a display key like `items[3]` (1-based)."""
        if key not in self.data:
            raise self.fail(key, "missing")
        rows = self.array(key, self.data[key])
        if not rows:
            raise self.fail(key, "must not be empty")
        return [(f"{key}[{n}]", self.table(f"{key}[{n}]", row)) for n, row in enumerate(rows, 1)]

    def unique_ids(self, key: str, ids: list[tuple[str, str]]) -> None:
        """No id used twice; names both entries when one is."""
        seen: dict[str, str] = {}
        for where, ident in ids:
            if ident in seen:
                raise self.fail(f"{where}.id", f"duplicate id {ident!r} (also {seen[ident]})")
            seen[ident] = where


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _kind(value: Any) -> str:
    kinds: dict[type, str] = {
        str: "a string", bool: "true/false", int: "a number", float: "a number",
        dict: "a table", list: "an array",
    }
    return kinds.get(type(value), type(value).__name__)


def _read(directory: Path, name: str) -> _File:
    """Parse one file; a missing file or a TOML syntax error becomes a ContentError."""
    path = directory / name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ContentError(name, "(file)", f"cannot read {path}: {error.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ContentError(name, "(file)", "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(name, _where(str(error)), f"TOML syntax error: {error}") from None
    return _File(name=name, data=data)


def _where(message: str) -> str:
    match = re.search(r"line (\d+), column (\d+)", message)
    return f"line {match[1]}, column {match[2]}" if match else "(syntax)"


def _named_texts(
    file: _File, names: dict[str, _K], make: Callable[[Text, Text], _V]
) -> dict[_K, _V]:
    """Tables of `name` + `description` Texts keyed as in `names` (key -> result key)."""
    file.keys("", file.data, names)
    result: dict[_K, _V] = {}
    for key, target in names.items():
        table = file.table(key, file.data[key])
        file.keys(key, table, ("name", "description"))
        result[target] = make(
            file.text(f"{key}.name", table["name"]),
            file.text(f"{key}.description", table["description"]),
        )
    return result


def _elements(file: _File) -> dict[Element, ElementInfo]:
    return _named_texts(file, {e.value: e for e in Element}, ElementInfo)


def _phases(file: _File) -> dict[Phase, PhaseInfo]:
    return _named_texts(file, {p.name.lower(): p for p in Phase}, PhaseInfo)


def _items(file: _File) -> tuple[Item, ...]:
    items = []
    for where, row in file.entries("items"):
        file.keys(where, row, ("id", "element", "phase", "theme", "text"))
        ident = file.string(f"{where}.id", row["id"])
        key = f"items[{ident}]"
        items.append(Item(
            id=ident,
            element=file.element(f"{key}.element", row["element"]),
            phase=file.phase(f"{key}.phase", row["phase"], ITEM_PHASES),
            theme=file.text(f"{key}.theme", row["theme"]),
            text=file.text(f"{key}.text", row["text"]),
        ))
    file.unique_ids("items", [(f"items[{n}]", item.id) for n, item in enumerate(items, 1)])
    for element in Element:
        for phase in ITEM_PHASES:
            if not any(i.element == element and i.phase == phase for i in items):
                raise file.fail("items", f"element {element.value!r} has no item for phase "
                                f"{phase:d}; every element needs items tagged 1, 2 and 3")
    return tuple(items)


def _options(file: _File, key: str, item_ids: set[str], with_confirms: bool) -> tuple[Option, ...]:
    options = []
    for where, row in file.entries(key):
        file.keys(where, row, ("id", "label"), ("confirms",) if with_confirms else ())
        ident = file.string(f"{where}.id", row["id"])
        named = f"{key}[{ident}]"
        confirms = tuple(
            file.string(f"{named}.confirms", value)
            for value in file.array(f"{named}.confirms", row.get("confirms", []))
        )
        for item_id in confirms:
            if item_id not in item_ids:
                raise file.fail(f"{named}.confirms", f"unknown item id {item_id!r}")
        options.append(Option(id=ident, label=file.text(f"{named}.label", row["label"]),
                              confirms=confirms))
    file.unique_ids(key, [(f"{key}[{n}]", o.id) for n, o in enumerate(options, 1)])
    return tuple(options)


def _questionnaire(file: _File) -> Questionnaire:
    file.keys("", file.data, ("barrier_max", "barrier_question", "start_question", "scale",
                              "dont_know", "items", "barriers", "start_reasons"))
    items = _items(file)
    ids = {item.id for item in items}
    barriers = _options(file, "barriers", ids, with_confirms=True)
    barrier_max = file.integer("barrier_max", file.data["barrier_max"])
    if not 1 <= barrier_max <= len(barriers):
        raise file.fail("barrier_max", f"{barrier_max} out of range 1..{len(barriers)}")
    scale_rows = file.array("scale", file.data["scale"])
    if len(scale_rows) != SCALE_POINTS:
        raise file.fail("scale", f"expected {SCALE_POINTS} labels (1..5), found {len(scale_rows)}")
    return Questionnaire(
        items=items,
        barriers=barriers,
        barrier_max=barrier_max,
        barrier_question=file.text("barrier_question", file.data["barrier_question"]),
        start_reasons=_options(file, "start_reasons", ids, with_confirms=False),
        start_question=file.text("start_question", file.data["start_question"]),
        scale=tuple(file.text(f"scale[{n}]", row) for n, row in enumerate(scale_rows, 1)),
        dont_know=file.text("dont_know", file.data["dont_know"]),
    )


def _tips(file: _File, items: tuple[Item, ...]) -> tuple[Tip, ...]:
    file.keys("", file.data, ("tips",))
    tips = []
    for where, row in file.entries("tips"):
        file.keys(where, row, ("element", "from_phase", "level", "addresses", "text", "source"))
        start = file.phase(f"{where}.from_phase", row["from_phase"], tuple(Phase))
        element = file.element(f"{where}.element", row["element"])
        tips.append(Tip(
            element=element,
            transition=(start, Phase(min(start + 1, Phase.STRATEGIC))),
            text=file.text(f"{where}.text", row["text"]),
            level=_level(file, f"{where}.level", row["level"]),
            addresses=_addresses(file, f"{where}.addresses", row["addresses"], items,
                                 element, Phase(min(start + 1, Phase.STRATEGIC))),
            source=file.text(f"{where}.source", row["source"]),
        ))
    _unique_texts(file, tips)
    for element in Element:
        for phase in Phase:
            if not any(t.element == element and t.transition[0] == phase
                       and t.level == TipLevel.TEAM for t in tips):
                raise file.fail("tips", f"no team tip for element {element.value!r} "
                                f"from phase {phase:d}; every step needs one a team can "
                                "start on")
    return tuple(tips)


def _unique_texts(file: _File, tips: list[Tip]) -> None:
    """No two tips say the same: a commitment made from a tip is found again by its text
    (`Content.tip_with_text`), to be shown in each reader's language."""
    seen: dict[str, int] = {}
    for number, tip in enumerate(tips, 1):
        for lang in LANGS:
            said = " ".join(tip.text.get(lang).split())
            if said in seen and seen[said] != number:
                raise file.fail(f"tips[{number}].text.{lang}",
                                f"the same text as tips[{seen[said]}]; every tip says "
                                "something of its own")
            seen[said] = number


def _level(file: _File, key: str, value: Any) -> TipLevel:
    name = file.string(key, value)
    try:
        return TipLevel(name)
    except ValueError:
        expected = ", ".join(level.value for level in TipLevel)
        raise file.fail(key, f"unknown level {name!r} (expected one of {expected})") from None


def _addresses(
    file: _File, key: str, value: Any, items: tuple[Item, ...], element: Element, tag: Phase
) -> tuple[str, ...]:
    """Item ids of the tip's element, tagged with the phase its step leads to."""
    ids = tuple(file.string(key, v) for v in file.array(key, value))
    if not ids:
        raise file.fail(key, "must name at least one item")
    fitting = {i.id for i in items if i.element == element and i.phase == tag}
    for item_id in ids:
        if item_id not in fitting:
            expected = ", ".join(sorted(fitting))
            raise file.fail(key, f"{item_id!r} is not a phase-{tag:d} item of "
                            f"{element.value!r} (expected one of {expected})")
    return ids


def _discussion(file: _File, items: tuple[Item, ...]) -> dict[str, tuple[Text, ...]]:
    """Open questions per statement: one or two for every item, none for anything else."""
    file.keys("", file.data, ("questions",))
    known = {item.id for item in items}
    questions: dict[str, list[Text]] = {item.id: [] for item in items}
    for where, row in file.entries("questions"):
        file.keys(where, row, ("item", "text"))
        item_id = file.string(f"{where}.item", row["item"])
        if item_id not in known:
            raise file.fail(f"{where}.item", f"unknown item id {item_id!r}")
        questions[item_id].append(file.text(f"questions[{item_id}].text", row["text"]))
    fewest, most = QUESTIONS_PER_ITEM
    for item_id, texts in questions.items():
        if not fewest <= len(texts) <= most:
            raise file.fail("questions", f"item {item_id!r} has {len(texts)} questions; "
                            f"every statement needs {fewest} to {most}")
    return {item_id: tuple(texts) for item_id, texts in questions.items()}


def _about(file: _File) -> About:
    names = ("intro", "source", "operationalisation")
    file.keys("", file.data, names)
    intro, source, operationalisation = (file.text(name, file.data[name]) for name in names)
    return About(intro=intro, source=source, operationalisation=operationalisation)


def load_content(directory: str | Path | None = None) -> Content:
    """Load and validate the content (cached per directory); raises ContentError.

    Without an argument it reads the packaged `model/content/`; pass another directory
    to try edited wording before replacing the packaged files.
    """
    return _load(Path(directory).resolve() if directory is not None else CONTENT_DIR)


@lru_cache(maxsize=8)
def _load(directory: Path) -> Content:
    questionnaire = _questionnaire(_read(directory, QUESTIONNAIRE_FILE))
    return Content(
        questionnaire=questionnaire,
        elements=_elements(_read(directory, ELEMENTS_FILE)),
        phases=_phases(_read(directory, PHASES_FILE)),
        tips=_tips(_read(directory, TIPS_FILE), questionnaire.items),
        about=_about(_read(directory, ABOUT_FILE)),
        discussion=_discussion(_read(directory, DISCUSSION_FILE), questionnaire.items),
    )
