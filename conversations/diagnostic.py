"""The diagnostic (and pulse) conversation in a DM, one statement at a time.

A state machine over storage: the respondent's position in the round's item list is the state.
Every button carries the round and item it was built for, so a stale or double click can only
touch its own item, and never moves anyone past a question they did not see.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from conversations.context import Caller
from conversations.i18n import t
from conversations.outbound import Outbound, Reply, SendDM, UpdateMessage
from conversations.refs import ItemRef
from conversations.views import diagnostic as views
from conversations.views.common import Message
from conversations.views.scores import phase_range
from model import MIN_RESPONSES_FLOOR, Content, Lang, score_respondent
from storage import (
    Progress,
    RepeatedRequestError,
    RequestClaim,
    Round,
    RoundClosedError,
    StalePositionError,
    StorageError,
    Store,
)

Clock = Callable[[], datetime]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Where:
    """The message a click came from, so the flow can update it in place."""

    channel_id: str
    ts: str


def subject_text(lang: Lang, subject: str | None) -> str:
    """What a round is about, in the reader's language when it is the default subject."""
    return subject or t(lang, "common.subject_default")


class _KeyedLocks:
    """One lock per respondent and round: two clicks from one person on this instance are
    handled in turn, so the second is shown the first's result. Across instances (clicks
    spread by a load balancer) the store decides: every move is a conditional write from
    the position clicked at (`expected_position`), and the slower click is shown where the
    person is now."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], threading.Lock] = {}

    def __call__(self, round_id: str, user_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault((round_id, user_id), threading.Lock())


class DiagnosticFlow:
    def __init__(self, store: Store, content: Content, clock: Clock) -> None:
        self.store = store
        self.content = content
        self.clock = clock
        self._lock = _KeyedLocks()

    # -- entry points -------------------------------------------------------------------------

    def begin(self, actor: Caller, round_id: str) -> list[Outbound]:
        """Start or resume: show the first unanswered statement (or what is left to do)."""
        round_, problem = self._open_round_for(actor, round_id)
        if problem:
            return [Reply(views.notice(problem))]
        assert round_ is not None
        with self._lock(round_id, actor.user_id):
            progress = self._progress(round_, actor.user_id)
            answers = self.store.answers_of(round_id, actor.user_id)
            position = next(
                (i for i, item_id in enumerate(round_.item_ids) if item_id not in answers),
                len(round_.item_ids),
            )
            progress = replace(progress, position=position)
            self.store.save_progress(progress)
            return [SendDM(actor.user_id, self._screen(actor.lang, round_, progress, answers))]

    def answer(self, actor: Caller, ref: ItemRef, where: Where,
               claim: RequestClaim | None = None,
               on_finished: Callable[[str], list[Outbound]] | None = None) -> list[Outbound]:
        """A scale button or Don't know (``ref.score is None``): record it, move on.

        ``claim`` (the click's request) is saved with the answer, so a repeat of the click
        changes nothing and gets no answer. ``on_finished(round_id)`` runs when this click
        answered the last statement (whether the whole team has finished now)."""
        finished_now: list[str] = []

        def forward(round_: Round, at: int) -> Progress:
            last = at + 1 >= len(round_.item_ids)  # counts as a response from now on
            moved = self.store.answer_and_advance(
                Progress(round_.id, actor.user_id, position=at + 1, finished=last),
                ref.item_id, ref.score, self.clock(), expected_position=at, claim=claim)
            if last:
                finished_now.append(round_.id)
            return moved

        out = self._step(actor, ref, where, forward, claim)
        if finished_now and on_finished is not None:
            out += on_finished(finished_now[0])
        return out

    def back(self, actor: Caller, ref: ItemRef, where: Where,
             claim: RequestClaim | None = None) -> list[Outbound]:
        """Back: show the previous statement with the answer given to it."""

        def backward(round_: Round, at: int) -> Progress:
            return self.store.save_progress(
                Progress(round_.id, actor.user_id, position=max(0, at - 1)),
                expected_position=at, claim=claim)

        return self._step(actor, ref, where, backward, claim)

    def _step(
        self, actor: Caller, ref: ItemRef, where: Where,
        move: Callable[[Round, int], Progress], claim: RequestClaim | None,
    ) -> list[Outbound]:
        """A click on the statement someone is at: `move` them from there (the statement's
        place in the round), then show where they are.

        The move is one conditional write (with the click's claim), so nothing is read
        before it. A click on any other statement (a double click, an old message, a
        message left behind when the bot stopped between saving an answer and updating
        it) changes no answer and shows where they are, in that message; a repeat of a
        click gets nothing."""
        round_, refusal = self._round_for_click(actor, ref.round_id, where)
        if refusal:
            return self._once(claim, refusal)
        assert round_ is not None
        with self._lock(ref.round_id, actor.user_id):
            if ref.item_id not in round_.item_ids:
                progress = self._progress(round_, actor.user_id)
                return self._once(claim, self._where_they_are(actor, round_, progress, where))
            try:
                progress = move(round_, round_.item_ids.index(ref.item_id))
            except RepeatedRequestError:
                logger.info("skipped a repeated click (its answer is saved already)")
                return []
            except RoundClosedError:  # `/wi3 close` landed between the check and the write
                return self._once(claim, self._closed(actor, where))
            except StalePositionError as moved_meanwhile:  # not there (any more)
                return self._once(claim, self._where_they_are(
                    actor, round_, moved_meanwhile.current, where))
            answers = self.store.answers_of(ref.round_id, actor.user_id)
            screen = self._screen(actor.lang, round_, progress, answers)
            return [UpdateMessage(where.channel_id, where.ts, screen)]

    def _once(self, claim: RequestClaim | None, answer: list[Outbound]) -> list[Outbound]:
        """A click that saved nothing claims its request on its own (a rare path: a stale
        or refused click), so a repeat of it is not answered twice. When the claim cannot
        be saved, the click is answered anyway: it changed nothing."""
        if claim is None:
            return answer
        try:
            first = self.store.claim(claim.key, claim.ttl_seconds)
        except StorageError as error:
            logger.warning("could not remember a click, answering it anyway (%s)", error)
            return answer
        if not first:
            logger.info("skipped a repeated click")
        return answer if first else []

    def later(self, actor: Caller, ref: ItemRef, where: Where) -> list[Outbound]:
        """Finish later: retire the buttons and leave a Resume button."""
        round_, refusal = self._round_for_click(actor, ref.round_id, where)
        if refusal:
            return refusal
        assert round_ is not None
        progress = self._progress(round_, actor.user_id)
        screen = views.paused(
            actor.lang,
            round_id=round_.id,
            number=min(progress.position + 1, len(round_.item_ids)),
            total=len(round_.item_ids),
            deadline=round_.closes_at or round_.opened_at,
        )
        return [UpdateMessage(where.channel_id, where.ts, screen)]

    def finish_checklist(
        self,
        actor: Caller,
        round_id: str,
        where: Where,
        barriers: Sequence[str] = (),
        reasons: Sequence[str] = (),
    ) -> list[Outbound]:
        """Done or Skip on the closing checklist; then the personal summary."""
        round_, refusal = self._round_for_click(actor, round_id, where)
        if refusal:
            return refusal
        assert round_ is not None
        questionnaire = self.content.questionnaire
        known_barriers = {option.id for option in questionnaire.barriers}
        known_reasons = {option.id for option in questionnaire.start_reasons}
        chosen = [b for b in dict.fromkeys(barriers) if b in known_barriers]
        why = [r for r in dict.fromkeys(reasons) if r in known_reasons]
        with self._lock(round_id, actor.user_id):
            progress = self._progress(round_, actor.user_id)
            if not progress.finished:
                return self._where_they_are(actor, round_, progress, where)
            if len(chosen) > questionnaire.barrier_max:
                error = t(actor.lang, "checklist.too_many", max=questionnaire.barrier_max)
                return [UpdateMessage(where.channel_id, where.ts,
                                      self._checklist(actor.lang, round_, error))]
            try:
                self.store.record_checklist(round_id, actor.user_id, chosen, why)
                progress = self.store.save_progress(replace(progress, checklist_done=True))
            except RoundClosedError:
                return self._closed(actor, where)
            answers = self.store.answers_of(round_id, actor.user_id)
            return [UpdateMessage(where.channel_id, where.ts,
                                  self._summary(actor.lang, round_, answers))]

    # -- screens ------------------------------------------------------------------------------

    def _screen(
        self, lang: Lang, round_: Round, progress: Progress, answers: Mapping[str, int | None]
    ) -> Message:
        """What the respondent should see for their current position."""
        total = len(round_.item_ids)
        if progress.position < total:
            item = self.content.questionnaire.item(round_.item_ids[progress.position])
            return views.question(
                lang,
                round_id=round_.id,
                item_id=item.id,
                statement=item.text.get(lang),
                element_name=self.content.elements[item.element].name.get(lang),
                subject=subject_text(lang, round_.subject),
                number=progress.position + 1,
                total=total,
                answered=item.id in answers,
                previous=answers.get(item.id),
            )
        if round_.kind == "diagnostic" and not progress.checklist_done:
            return self._checklist(lang, round_)
        return self._summary(lang, round_, answers)

    def _checklist(self, lang: Lang, round_: Round, error: str | None = None) -> Message:
        questionnaire = self.content.questionnaire
        return views.checklist(
            lang,
            round_id=round_.id,
            barriers=[(o.id, o.label.get(lang)) for o in questionnaire.barriers],
            barrier_max=questionnaire.barrier_max,
            reasons=[(o.id, o.label.get(lang)) for o in questionnaire.start_reasons],
            error=error,
        )

    def _summary(
        self, lang: Lang, round_: Round, answers: Mapping[str, int | None]
    ) -> Message:
        profile = score_respondent(answers, content=self.content)
        lines = []
        for result in profile.elements:
            name = self.content.elements[result.element].name.get(lang)
            if result.phase is None:
                lines.append(t(lang, "summary.element_insufficient", element=name))
            else:  # what their "don't know"s leave open, as the team's result says it
                lines.append(t(lang, "summary.element", element=name,
                               phase=phase_range(lang, result.low_phase, result.high_phase,
                                                 self.content, capital=True)))
        team = self.store.get_team(round_.workspace_id, round_.channel_id)
        return views.summary(
            lang,
            subject=subject_text(lang, round_.subject),
            element_lines=lines,
            overall_phase=phase_range(lang, profile.overall, profile.overall_high,
                                      self.content) if profile.placed else None,
            channel_id=round_.channel_id,
            deadline=round_.closes_at or round_.opened_at,
            min_responses=team.min_responses if team else MIN_RESPONSES_FLOOR,
            pulse=round_.kind == "pulse",
        )

    # -- state --------------------------------------------------------------------------------

    def _open_round_for(self, actor: Caller, round_id: str) -> tuple[Round | None, str | None]:
        """The round if this person may answer in it now, else the reason why not."""
        round_ = self.store.get_round(round_id)
        if round_ is None or round_.workspace_id != actor.workspace_id:
            return None, t(actor.lang, "question.round_unknown")
        if round_.status != "open":
            return None, t(actor.lang, "question.round_closed")
        if actor.user_id not in round_.invited:
            return None, t(actor.lang, "question.not_invited")  # names no other team
        return round_, None

    def _round_for_click(
        self, actor: Caller, round_id: str, where: Where
    ) -> tuple[Round | None, list[Outbound]]:
        """The round a button belongs to, or what to answer instead.

        A closed round retires the message's buttons in place; anything else (an unknown
        round, someone not invited) is told privately and the message is left alone.
        """
        round_, problem = self._open_round_for(actor, round_id)
        if problem is None:
            return round_, []
        existing = self.store.get_round(round_id)
        if existing is not None and not existing.is_open:
            return None, self._closed(actor, where)
        return None, [Reply(views.notice(problem))]

    @staticmethod
    def _closed(actor: Caller, where: Where) -> list[Outbound]:
        """The round closed: the message's buttons retire in place, saying so."""
        notice = views.notice(t(actor.lang, "question.round_closed"))
        return [UpdateMessage(where.channel_id, where.ts, notice)]

    def _progress(self, round_: Round, user_id: str) -> Progress:
        progress = self.store.get_progress(round_.id, user_id)
        if progress is None:
            progress = Progress(round_id=round_.id, user=user_id)
        return progress

    def _where_they_are(
        self, actor: Caller, round_: Round, progress: Progress, where: Where
    ) -> list[Outbound]:
        """The clicked message shows the respondent's current screen instead."""
        answers = self.store.answers_of(round_.id, actor.user_id)
        screen = self._screen(actor.lang, round_, progress, answers)
        return [UpdateMessage(where.channel_id, where.ts, screen)]
