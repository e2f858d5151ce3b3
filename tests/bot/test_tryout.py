"""`python -m bot try`: the local try-out, as someone without Slack credentials meets it."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.tryout import TryoutOptions, run_tryout
from bot.tryout.render import mrkdwn, render
from conversations.refs import ActionIds
from conversations.views.diagnostic import question
from storage import open_store

REPO = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ELEMENTS_EN = ("Value", "Impact", "Innovation", "Investment")
PHASES_EN = ("Pioneering", "Facilitating", "Strategic")


def run_bot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` with no configuration at all: no token, no .env, no HOME."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PYTHONPATH": str(REPO), "MPLCONFIGDIR": str(cwd / ".mpl")},
        cwd=cwd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )


def results_post(output: str, header: str) -> str:
    """The channel's results post as printed: from its header to the next blank line."""
    start = output.index(header)
    end = output.find("\n\n", start)
    return output[start:end if end != -1 else None]


def saved_chart(output: str, suffix: str = ".png") -> Path:
    match = re.search(rf"(/\S+\{suffix})\s*$", output, re.MULTILINE)
    assert match, output[-500:]
    return Path(match.group(1))


@pytest.fixture
def quiet_logging() -> Iterator[None]:
    """The try-out sets up logging for its process; put the test runner's back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def play(tmp_path: Path, answers: list[str] | None = None, *, lang: str = "en",
         data_dir: Path | None = None, seed: int = 2009, out_dir: Path | None = None,
         ) -> tuple[int, str, list[str]]:
    """Run the try-out in this process; `answers` are typed at the prompts (then EOF)."""
    out = io.StringIO()
    prompts: list[str] = []
    typed = iter(answers or [])

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    settings = TryoutOptions(lang=lang, auto=answers is None, data_dir=data_dir,
                             out_dir=out_dir or tmp_path / "out", seed=seed)
    code = run_tryout(settings, out=out, ask=ask)
    return code, out.getvalue(), prompts


# ---------------------------------------------------------------------- end to end


def test_try_auto_runs_a_whole_round_and_prints_the_channels_results(tmp_path: Path) -> None:
    result = run_bot("try", "--auto", "--out", str(tmp_path / "charts"), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    post = results_post(result.stdout, "WI3 results: our wiki")
    assert "6 of 6 answered" in post  # one stopped halfway: their answers count too
    for element in ELEMENTS_EN:
        line = next(line for line in post.splitlines() if f"│ {element} " in line)
        assert any(phase in line for phase in PHASES_EN), line
    assert re.search(r"Overall phase: (getting started|pioneering|facilitating|strategic)",
                     post)
    assert "What stands between you and the next phase" in post
    assert "What your team can do" in post and "/wi3 about" in post
    assert "<#" not in post and "<@" not in post and "<!date" not in post
    chart = saved_chart(result.stdout)
    assert chart.parent == tmp_path / "charts"
    assert chart.read_bytes().startswith(PNG_MAGIC)
    guide = result.stdout[result.stdout.index("Discussion guide: our wiki"):]
    assert "bottleneck" in guide or "no single bottleneck" in guide
    assert "↳" in guide and "[ Plan actions ]" in guide  # questions under the statements
    steps = results_post(result.stdout, "Our next steps")
    assert "Planned by @you after the round about our wiki." in steps
    assert "@alex · due " in steps
    report = saved_chart(result.stdout, ".pdf")  # `/wi3 report`, saved next to the chart
    assert report.parent == tmp_path / "charts"
    assert report.read_bytes().startswith(b"%PDF-")


def test_make_run_without_slack_credentials_explains_set_up_then_runs_the_try_out(
    tmp_path: Path,
) -> None:
    result = run_bot("run-or-try", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "manifest.yml" in result.stdout and ".env" in result.stdout
    assert "WI3 results: our wiki" in result.stdout  # no terminal: it answered for you
    assert saved_chart(result.stdout).parent == tmp_path / "try-out"


def test_the_bot_without_configuration_still_exits_2_and_suggests_the_try_out(
    tmp_path: Path,
) -> None:
    result = run_bot(cwd=tmp_path)

    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "python -m bot try" in result.stderr


@pytest.mark.usefixtures("quiet_logging")
def test_try_in_dutch_speaks_dutch_in_the_terminal_and_in_slack(tmp_path: Path) -> None:
    code, output, _ = play(tmp_path, lang="nl")

    assert code == 0
    assert "Je typt in #team-demo:  /wi3 setup" in output
    assert "Stelling 1 van 23 · Waarde · over onze wiki" in output
    post = results_post(output, "WI3-resultaten: onze wiki")
    assert "6 van 6 hebben geantwoord" in post and "Totaalfase" in post
    assert "Wat jullie als team kunnen doen" in post


# ---------------------------------------------------------------------- at the terminal


@pytest.mark.usefixtures("quiet_logging")
def test_the_person_answers_with_numbers_and_letters_at_the_terminal(tmp_path: Path) -> None:
    answers = ["1",          # Start
               "9", "4",     # question 1 has 7 choices: 9 is none of them; 4 · Agree
               "7",          # question 2: Don't know (6 is Back from here on)
               "6",          # question 3: Back
               "5"]          # question 2 again: Strongly agree
    answers += ["5"] * 21    # questions 3..23
    answers += ["c, x", "c,e", "", "1"]  # barriers (no x shown), then c and e; no reasons; Done
    answers += ["Write a wiki guide", "9", "3", ""]  # own words; no 9th person; @noor; a week
    code, output, prompts = play(tmp_path, answers)

    assert code == 0
    assert "Please type a number from 1 to 7, or q to stop." in output
    assert "Your answer so far: Don't know" in output
    assert "→ you select: Time, Proving ROI" in output
    summary = output[output.index("Thank you! Your personal summary"):]
    assert "Strategic" in summary.split("\n\n")[0]
    assert prompts[0] == "Your choice (1-1, q to stop): "
    assert "Select up to 3" in prompts[-8]
    assert "6 of 6 answered" in results_post(output, "WI3 results: our wiki")
    assert prompts[-3].startswith("Who takes it on? 1 @you, 2 @alex, 3 @noor")
    assert "Please type a number from 1 to 6, or q to stop." in output
    steps = results_post(output, "Our next steps")
    assert "1. Write a wiki guide" in steps and "@noor · due " in steps


@pytest.mark.usefixtures("quiet_logging")
def test_when_the_input_runs_out_wi3_answers_the_rest_and_shows_the_results(
    tmp_path: Path,
) -> None:
    code, output, _ = play(tmp_path, ["1", "3", "3"])

    assert code == 0
    assert "(No more input: wi3 answers the rest for you.)" in output
    assert "Statement 23 of 23" in output
    assert "6 of 6 answered" in results_post(output, "WI3 results: our wiki")


@pytest.mark.usefixtures("quiet_logging")
def test_stopping_at_the_invitation_leaves_the_colleagues_to_answer(tmp_path: Path) -> None:
    code, output, _ = play(tmp_path, ["q"])

    assert code == 0
    assert "You stopped answering." in output
    assert "Statement 1 of 23" not in output
    assert "5 of 6 answered" in results_post(output, "WI3 results: our wiki")


@pytest.mark.usefixtures("quiet_logging")
def test_ctrl_c_at_a_prompt_ends_the_try_out_quietly(tmp_path: Path) -> None:
    def interrupt(prompt: str) -> str:
        raise KeyboardInterrupt

    out = io.StringIO()
    code = run_tryout(TryoutOptions(out_dir=tmp_path / "out"), out=out, ask=interrupt)

    assert code == 130
    assert out.getvalue().rstrip().endswith("Run it again any time with `python -m bot try`.")
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("quiet_logging")
def test_a_kept_data_directory_shows_the_trend_on_the_second_try(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first_code, first, _ = play(tmp_path, data_dir=data_dir)
    second_code, second, _ = play(tmp_path, data_dir=data_dir, seed=11)

    assert (first_code, second_code) == (0, 0)
    assert "is already a WI3 team" in second
    assert "Arrows compare with" not in results_post(first, "WI3 results: our wiki")
    assert "Arrows compare with" in results_post(second, "WI3 results: our wiki")


@pytest.mark.usefixtures("quiet_logging")
def test_a_data_directory_in_use_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(tmp_path / "data"):
        code, output, _ = play(tmp_path, data_dir=tmp_path / "data")

    assert code == 2
    assert output == ""
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "The try-out cannot start" in error[0]


@pytest.mark.usefixtures("quiet_logging")
def test_a_chart_that_cannot_be_saved_is_said_and_the_results_still_shown(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")

    code, output, _ = play(tmp_path, out_dir=blocked / "charts")

    assert code == 0
    assert "WI3 results: our wiki" in output
    assert f"The chart could not be saved in {blocked / 'charts'}" in output


# ---------------------------------------------------------------------- rendering


def names(slack_id: str) -> str | None:
    return {"U1": "alex", "C1": "team-demo"}.get(slack_id)


@pytest.mark.parametrize(("markup", "shown"), [
    ("<@U1> started a round in <#C1>", "@alex started a round in #team-demo"),
    ("<#C9|random> and <@U9>", "#random and @U9"),
    ("until <!date^1796634000^{date_short_pretty}|2026-12-07 09:00 UTC>.",
     "until 2026-12-07 09:00 UTC."),
    ("*Value*  `▰▰▱` 2.1 · _Facilitating_", "Value  ▰▰▱ 2.1 · Facilitating"),
    ("see <https://example.org|the guide> &amp; more", "see the guide & more"),
    ("snake_case and 2*3*4 stay", "snake_case and 2*3*4 stay"),
])
def test_slack_markup_reads_as_a_slack_client_shows_it(markup: str, shown: str) -> None:
    assert mrkdwn(markup, names) == shown


def test_a_question_shows_the_scale_as_choices_1_to_5_then_navigation() -> None:
    message = question("en", round_id="R1", item_id="W2", statement="We share.",
                       element_name="Value", subject="our wiki", number=2, total=23)

    screen = render(message["blocks"], message["text"])

    assert [c.action_id for c in screen.choices] == [
        *(ActionIds.answer(score) for score in range(1, 6)),
        ActionIds.BACK, ActionIds.DONT_KNOW, ActionIds.LATER]
    assert [c.number for c in screen.choices] == list(range(1, 9))
    assert "[1] 1 · Strongly disagree" in screen.text and "[8] Finish later" in screen.text
    assert screen.text.splitlines()[:2] == ["We share.",
                                            "  Statement 2 of 23 · Value · about our wiki"]
    rows = [line for line in screen.text.splitlines() if line.startswith("[")]
    assert all(row.count("[") == row.count("]") for row in rows)  # no button split in two


def test_a_message_only_read_shows_buttons_without_numbers() -> None:
    message = question("en", round_id="R1", item_id="W1", statement="We share.",
                       element_name="Value", subject="our wiki", number=1, total=23)

    screen = render(message["blocks"], numbered=False)

    assert "[ Don't know ]" in screen.text and "[1]" not in screen.text


def test_checklist_menus_are_lettered_and_send_back_what_slack_sends() -> None:
    from conversations.views.diagnostic import checklist

    message = checklist("en", round_id="R1", barriers=[("time", "Time"), ("roi", "ROI")],
                        barrier_max=3, reasons=[("share", "Sharing")])
    screen = render(message["blocks"])

    barriers = screen.pickers[0]
    assert "    (a) Time" in screen.text and "    (b) ROI" in screen.text
    assert barriers.max_selected == 3
    state = barriers.state(["roi"])
    assert state[ActionIds.BARRIERS]["selected_options"][0]["value"] == "roi"
    assert [c.action_id for c in screen.choices] == [ActionIds.CHECKLIST_DONE,
                                                      ActionIds.CHECKLIST_SKIP]

