"""The PostgreSQL test fixtures themselves: one line when there is no server, a failure
instead of a skip under CI (however CI is spelled), and each run's databases its own."""

from __future__ import annotations

import pytest

from tests.pg import URL_VARIABLE, TestDatabase, drop_abandoned, require_server


@pytest.mark.parametrize("spelling", ["true", "1", "yes", "on", "TRUE", " On "])
def test_without_a_server_postgresql_tests_fail_under_any_spelling_of_ci(
    monkeypatch: pytest.MonkeyPatch, spelling: str,
) -> None:
    monkeypatch.setenv(URL_VARIABLE, "postgresql://nobody@127.0.0.1:9/nothing")
    monkeypatch.setenv("CI", spelling)
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL tests must run"):
        require_server()


@pytest.mark.parametrize("spelling", [None, "", "false", "0", "no", "off"])
def test_without_a_server_postgresql_tests_skip_with_one_line_outside_ci(
    monkeypatch: pytest.MonkeyPatch, spelling: str | None,
) -> None:
    monkeypatch.setenv(URL_VARIABLE, "postgresql://nobody@127.0.0.1:9/nothing")
    if spelling is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", spelling)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_server()
    reason = str(skipped.value)
    assert "\n" not in reason and URL_VARIABLE in reason and "skipped" in reason


def test_a_run_drops_only_its_own_abandoned_databases(pg_server: str) -> None:
    """Another run's database (another machine's PID, invisible here) is left alone; one
    of this run whose process is gone is dropped."""
    ours = TestDatabase(pg_server, migrated=False)
    theirs = TestDatabase(pg_server, migrated=False, run_id="0therrun0000")
    gone = TestDatabase(pg_server, migrated=False)
    try:
        gone.rename_as_of_pid(2**22 + 7)  # no such process (beyond Linux's pid_max)
        theirs.rename_as_of_pid(2**22 + 7)
        drop_abandoned(pg_server)
        names = TestDatabase.names(pg_server)
        assert ours.name in names and theirs.name in names and gone.name not in names
    finally:
        for database in (ours, theirs, gone):
            database.drop()
