"""The PostgreSQL test fixtures themselves: one line when there is no server, and a
failure instead of a skip under CI."""

from __future__ import annotations

import pytest

from tests.pg import URL_VARIABLE, require_server


def test_without_a_server_postgresql_tests_skip_with_one_line_or_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(URL_VARIABLE, "postgresql://nobody@127.0.0.1:9/nothing")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_server()
    reason = str(skipped.value)
    assert "\n" not in reason and URL_VARIABLE in reason and "skipped" in reason
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_server()
