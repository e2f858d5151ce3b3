"""The dashboard's web pieces on their own: signed cookies, where a sign-in may lead, the
sign-in limit, and Slack's side of signing in (the emulator's OpenID endpoints)."""

from __future__ import annotations

import base64

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dashboard.app import _is_ours
from bot.dashboard.ratelimit import Attempts
from bot.dashboard.sessions import Signer, cookie_header, session_key
from bot.emulator import SlackEmulator, Workspace
from bot.emulator.api import ApiError
from bot.emulator.openid import AUTHORIZE_PATH


def test_a_signed_token_reads_back_only_unchanged_for_its_purpose_and_in_time() -> None:
    now = [1_000_000.0]
    signer = Signer(session_key("client-secret"), lambda: now[0])
    token = signer.sign("session", {"user": "U1"}, seconds=60)
    assert signer.read("session", token) == {"user": "U1", "exp": 1_000_060}
    assert signer.read("sign-in", token) is None  # another purpose
    assert Signer(session_key("other-secret"), lambda: now[0]).read("session", token) is None
    mac = token.split(".")[1]
    forged = base64.urlsafe_b64encode(b'{"exp":1000060,"user":"U0ADMIN"}').rstrip(b"=")
    assert signer.read("session", forged.decode() + "." + mac) is None
    assert signer.read("session", "garbage") is None and signer.read("session", None) is None
    now[0] += 60
    assert signer.read("session", token) is None  # expired, whatever the browser kept


def test_cookies_are_httponly_samesite_and_secure_over_https() -> None:
    name, value = cookie_header("wi3_session", "x", seconds=10, secure=True)
    assert name == "Set-Cookie"
    assert value == "wi3_session=x; Path=/dashboard; Max-Age=10; HttpOnly; SameSite=Lax; Secure"
    assert "Secure" not in cookie_header("wi3_session", "x", seconds=10, secure=False)[1]


@pytest.mark.parametrize(("then", "ours"), [
    ("/dashboard/teams/C1", True), ("/dashboard/organisation?phase=1", True),
    ("https://evil.example/dashboard", False), ("//evil.example/dashboard", False),
    ("/dashboard//evil.example", False), ("/slack/events", False), ("", False),
    ("/dashboard\\@evil", False)])
def test_a_sign_in_only_leads_back_into_the_dashboard(then: str, ours: bool) -> None:
    assert _is_ours(then) == ours


def test_sign_ins_are_limited_per_client_and_come_back_with_time() -> None:
    now = [0.0]
    attempts = Attempts(per_minute=6, burst=3, clock=lambda: now[0])
    assert [attempts.allow("a") for _ in range(4)] == [True, True, True, False]
    assert attempts.allow("b")
    now[0] += 10  # six a minute: one more after ten seconds
    assert attempts.allow("a") and not attempts.allow("a")


def test_the_emulated_slack_signs_someone_in_as_slack_would() -> None:
    workspace = Workspace()
    workspace.add_user("U0ANNA001", "anna", real_name="Anna", locale="nl-NL")
    with SlackEmulator(workspace) as emulator:
        emulator.openid.register("id.1", "secret", "http://app.test/dashboard/signin")
        query = {"client_id": "id.1", "response_type": "code", "scope": "openid,profile",
                 "redirect_uri": "http://app.test/dashboard/signin/done", "state": "s",
                 "nonce": "n"}
        apis = emulator._apis
        kind, page = emulator.openid.authorize(query, apis, emulator.url + AUTHORIZE_PATH)
        assert kind == "page" and "Anna (U0ANNA001)" in page
        with pytest.raises(ApiError, match="bad_redirect_uri"):
            emulator.openid.authorize({**query, "redirect_uri": "http://evil.test/"}, apis, "")
        kind, back = emulator.openid.authorize({**query, "user": "U0ANNA001"}, apis, "")
        assert kind == "redirect" and back.startswith(query["redirect_uri"] + "?code=")
        code = back.split("code=")[1].split("&")[0]
        client = WebClient(base_url=emulator.api_url)
        with pytest.raises(SlackApiError, match="bad_client_secret"):
            client.openid_connect_token(client_id="id.1", client_secret="wrong", code=code,
                                        redirect_uri=query["redirect_uri"])
        token = client.openid_connect_token(client_id="id.1", client_secret="secret",
                                            code=code, redirect_uri=query["redirect_uri"])
        with pytest.raises(SlackApiError, match="invalid_code"):  # a code works once
            client.openid_connect_token(client_id="id.1", client_secret="secret", code=code,
                                        redirect_uri=query["redirect_uri"])
        info = client.openid_connect_userInfo(token=token["access_token"])
        assert info["https://slack.com/user_id"] == "U0ANNA001"
        assert info["https://slack.com/team_id"] == workspace.team_id
        assert info["locale"] == "nl-NL"
