"""The dashboard over HTTP, on both backends: signing in and out, who sees what, the
web's defences. (The same in a real browser: test_browser.py.)"""

from __future__ import annotations

from conversations.dashboard.access import Viewer
from conversations.dashboard.flow import DashboardFlow, Refusal, TeamPage
from conversations.dashboard.organisation import OrgPage
from tests.dashboard import seed
from tests.dashboard.conftest import Served
from tests.dashboard.visitor import Visitor


def test_each_role_sees_exactly_what_it_may_and_gets_403_elsewhere(served: Served) -> None:
    """Admin: everything of their workspace. Lead: their teams, with the leads' material.
    Member: their team's published results only. Outsider: nothing. Another workspace's
    admin: nothing of this one, though a channel id repeats."""
    d, rounds = served.dashboard, served.rounds
    led, other = seed.LED[0], seed.TEAMS[3]
    published, unposted = rounds[f"{led}-1"], rounds["unposted"]
    admin = Visitor()
    landed = admin.sign_in(d, seed.ADMIN)
    assert landed.status == 200 and landed.url == d and "Ada Admin" in landed.text()
    org = admin.get(d + "/organisation").text()
    for channel in (*seed.TEAMS, seed.WITHHELD, seed.NO_ROUND):
        assert f"#{channel}" in org
    assert "Too few answers to show" in org and "No closed round yet" in org
    assert "other secrets" not in org
    pdf = admin.get(f"{d}/rounds/{published}/report.pdf")  # drawn as /wi3 report draws it
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    expected = {
        seed.ADMIN: {"/organisation": 200, f"/teams/{led}": 200, f"/teams/{other}": 200,
                     f"/rounds/{published}": 200, f"/rounds/{unposted}": 200,
                     f"/teams/{led}/standing": 200},
        seed.LEAD: {"/organisation": 403, f"/teams/{led}": 200, f"/teams/{other}": 403,
                    f"/rounds/{published}": 200, f"/rounds/{unposted}": 200,
                    f"/rounds/{rounds[f'{other}-1']}": 403, f"/teams/{led}/standing": 200,
                    f"/rounds/{rounds[f'{other}-1']}/report.pdf": 403},
        seed.MEMBERS[0]: {"/organisation": 403, f"/teams/{led}": 200,
                          f"/teams/{other}": 403, f"/rounds/{published}": 200,
                          f"/rounds/{unposted}": 403, f"/teams/{led}/standing": 403,
                          f"/rounds/{published}/report.pdf": 403},
        seed.OUTSIDER: {"/organisation": 403, f"/teams/{led}": 403,
                        f"/rounds/{published}": 403},
    }
    for user, pages in expected.items():
        visitor = Visitor()
        visitor.sign_in(d, user)
        seen = {path: visitor.get(d + path).status for path in pages}
        assert seen == pages, user
    lead = Visitor()
    lead.sign_in(d, seed.LEAD)
    team = lead.get(f"{d}/teams/{led}").text()
    assert "Statements and how the team answered" not in team  # Dutch: her Slack locale
    assert "Stellingen en hoe het team antwoordde" in team and "Vragen om" in team
    member = Visitor()
    member.sign_in(d, seed.MEMBERS[0])
    team = member.get(f"{d}/teams/{led}").text()
    assert "Statements and how the team answered" not in team
    assert "Demo the wiki <b>every</b> Friday" in team  # the commitment, escaped
    flow = DashboardFlow(served.services.store, seed.CONTENT, served.clock)
    lead_viewer = Viewer(seed.WS, seed.LEAD, "nl")
    assert not isinstance(flow.report(lead_viewer, published), Refusal)  # (not drawn here)
    # One bot token serves one workspace: another workspace's admin cannot sign in...
    refused = Visitor().sign_in(d, seed.OTHER_ADMIN, team=seed.OTHER_WS)
    assert refused.status == 400 and "not installed" in refused.text()
    # ...and where many are served, every lookup stays within the viewer's workspace.
    stranger = Viewer(seed.OTHER_WS, seed.OTHER_ADMIN, "en", is_admin=True)
    own = flow.organisation(stranger, {})
    assert isinstance(own, OrgPage) and [r.channel_id for r in own.rows] == [led]
    assert own.rows[0].subject == "other secrets"
    mine = flow.team(stranger, led)
    assert isinstance(mine, TeamPage) and mine.latest is not None
    assert mine.latest.round_id == rounds["other"]
    assert flow.round(stranger, published) == Refusal.NOT_FOUND  # not even said to exist
    assert flow.report(stranger, published) == Refusal.NOT_FOUND
    assert flow.standing(stranger, other) == Refusal.NOT_FOUND


def test_sessions_are_signed_and_expire_pages_are_defended_and_escape_what_people_typed(
        served: Served) -> None:
    d = served.dashboard
    served.services.store.update_team(seed.WS, seed.TEAMS[2], subject="<script>x</script>")
    visitor = Visitor()
    visitor.sign_in(d, seed.ADMIN)
    page = visitor.get(d + f"/teams/{seed.LED[0]}")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert "default-src 'none'" in csp and page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.body and "<b>every</b>" not in page.body
    assert visitor.get(d + "/teams/NOPE").status == 404
    assert visitor.get(d + "/rounds/../../etc").status == 404
    assert visitor.post(d + "/organisation", {}).status == 405
    visitor = Visitor()
    home = visitor.sign_in(d, seed.ADMIN)
    cookie = visitor.cookies["wi3_session"]
    assert home.status == 200
    forged = Visitor()
    body, mac = cookie.split(".")
    forged.cookies["wi3_session"] = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
    refused = forged.get(d + "/organisation", follow=False)
    assert refused.status == 303
    assert refused.headers["location"].startswith("/dashboard/signin?then=%2Fdashboard")
    assert visitor.post(d + "/signout", {"csrf": "not-the-token"}).status == 400
    assert visitor.get(d + "/organisation").status == 200  # still signed in
    out = visitor.post(d + "/signout", {"csrf": visitor.csrf(home)})
    assert out.status == 200 and "You are signed out" in out.text()
    assert "wi3_session" not in visitor.cookies
    again = Visitor()
    again.sign_in(d, seed.ADMIN)
    served.clock.advance(hours=8, seconds=1)
    assert again.get(d + "/organisation", follow=False).headers["location"].startswith(
        "/dashboard/signin")


def test_signing_in_is_refused_clearly_and_limited(served: Served) -> None:
    d = served.dashboard
    visitor = Visitor()
    start = visitor.get(d + "/signin", follow=False)
    back = Visitor().get(start.headers["location"], user=seed.ADMIN)  # without the cookie
    assert back.status == 400 and "expired or was already used" in back.text()
    cancelled = visitor.get(start.headers["location"], cancel="1")
    assert cancelled.status == 400 and "cancelled" in cancelled.text()
    served.emulator.uninstall(seed.OTHER_WS)
    served.services.store.mark_uninstalled(seed.OTHER_WS)
    refused = Visitor().sign_in(d, seed.OTHER_ADMIN, team=seed.OTHER_WS)
    assert refused.status == 400 and "not installed" in refused.text()
    hammering = Visitor(address="203.0.113.9")
    statuses = [hammering.get(d + "/signin", follow=False).status for _ in range(32)]
    assert statuses.count(303) == 30 and statuses[-1] == 429, str(statuses)
    assert Visitor(address="203.0.113.10").get(d + "/signin", follow=False).status == 303
