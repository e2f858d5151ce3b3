import pytest

from conversations.commands import mentioned_user, parse


def test_empty_text_is_help() -> None:
    assert parse("").name == "help"
    assert parse(None).name == "help"
    assert parse("   ").name == "help"


def test_subcommand_and_arguments() -> None:
    command = parse("start  our wiki ")
    assert command.name == "start"
    assert command.rest == "our wiki"


def test_case_insensitive_and_dutch_aliases() -> None:
    assert parse("STATUS").name == "status"
    assert parse("taal nl").name == "language"
    assert parse("taal nl").args == ("nl",)


@pytest.mark.parametrize(("typo", "suggestion"), [("stat", "status"), ("strat", "start"),
                                                  ("setpu", "setup"), ("lang", "language")])
def test_typos_get_a_suggestion(typo: str, suggestion: str) -> None:
    command = parse(typo)
    assert command.name is None
    assert command.suggestion == suggestion


def test_nonsense_gets_no_suggestion() -> None:
    command = parse("xyzzy")
    assert command.name is None and command.suggestion is None and command.word == "xyzzy"


def test_mentions_are_read_from_escaped_text() -> None:
    assert mentioned_user(("add", "<@U123ABC|anna>")) == "U123ABC"
    assert mentioned_user(("add", "<@W999>")) == "W999"
    assert mentioned_user(("add", "@anna")) is None
