"""The demo's two judged rounds, on a calendar relative to the day it is loaded, in the KIPP
order: registration, administrative screening, desk evaluation, finalists announced (with a
public objection period), presentation and interview, field verification, and only then the
awards.

- KOINYANLIK 2025, last year's round, is finished: awarded after its field verification on
  the combined ranking of its three scored stages (40/30/30), certificates issued, one
  correction published.
- KOINYANLIK 2026 is under way: registration and the desk evaluation are over, the finalists
  are announced and final, and the presentations are being scored now: some sheets are
  submitted, some are drafts and some not started, so a judge who logs in has work to do.

Every date comes from ``WINDOWS`` (days from the load time), so the demo reads the same on
any day: times are spread over each window, never the minute the demo was loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from competition.accounts.models import User
from competition.announcements import services as announcements
from competition.entries import screening
from competition.entries import services as entry_service
from competition.entries.models import Entry, Screening
from competition.rounds import services as rounds
from competition.rounds.models import Round, Stage, StageKind
from competition.rounds.sections import MIN_AGE_YEARS, EntryGroup
from judging.analysis import advancement, combined
from judging.demo import scoring as demo_scoring
from judging.demo.kipp import kipp_sections, start_date
from judging.demo.publishing import publish_demo_results
from judging.results import awards
from judging.scoring import rubric as rubric_service

# Windows of each stage in days from the load time (registration, screening, desk evaluation,
# presentation and interview, field verification, announcement).
WINDOWS = {
    2025: [(-480, -435), (-434, -428), (-427, -407), (-400, -394), (-390, -382), (-375, -368)],
    2026: [(-110, -65), (-64, -58), (-57, -37), (-3, 4), (10, 17), (24, 30)],
}
# ``now`` is 09:00 in Jakarta; a window closes at 16:00 (Jakarta) the day before its end day.
CLOSING = timedelta(hours=17)
FINALISTS_PER_CATEGORY = 5
STAGE_WEIGHTS = (40, 30, 30)  # KIPP: desk evaluation, presentation, field verification


@dataclass
class DemoRound:
    round_: Round
    categories: dict
    entries: list[Entry] = field(default_factory=list)

    @property
    def scored(self) -> list[Stage]:
        return combined.scored_stages(self.round_)


def _at(now: datetime, days: float) -> datetime:
    return now + timedelta(days=days)


def old_enough(e: dict, group: str, opens_at: datetime) -> bool:
    """Whether demo entry ``e`` meets the minimum age when a round opens at ``opens_at``."""
    started = start_date(e["implementation"])
    years = MIN_AGE_YEARS[EntryGroup(group)]
    return (started.year + years, started.month) <= (opens_at.year, opens_at.month)


def build_round(*, year: int, data: dict, people, now: datetime, rng) -> DemoRound:
    """Create the round with its categories and timeline, and the entries written and sent
    during its registration window (a puskesmas's through its Admin Lokal); then the
    screening, announced and made final."""
    windows = WINDOWS[year]
    committee = people.committee
    round_ = rounds.create_round(
        name=data["name"],
        description=data["description"],
        submission_opens_at=_at(now, windows[0][0]),
        submission_closes_at=_at(now, windows[0][1]) - CLOSING,
        actor=committee,
    )
    categories = {
        c["key"]: rounds.add_category(
            round_=round_, name=c["name"], description=c["description"], actor=committee
        )
        for c in people.competition["categories"]
    }
    rounds.open_round(round_=round_, actor=committee)
    stages = rounds.apply_stage_template(round_=round_, actor=committee)
    for stage, (start, end) in zip(stages, windows):
        rounds.update_stage(
            stage=stage,
            name=stage.name,
            opens_at=_at(now, start),
            closes_at=_at(now, end) - CLOSING,
            is_skipped=False,
            actor=committee,
        )
    demo = DemoRound(round_, categories)
    length = (windows[0][1] - windows[0][0]) * 2 // 3
    for i, e in enumerate(people.entry_data):
        org = people.org_data[e["org"]]
        proposal = kipp_sections(e, org, i)
        if not old_enough(e, proposal["group"], round_.submission_opens_at):
            continue  # too young for last year's round
        user = people.opd_users[e["org"]]
        written = round_.submission_opens_at + timedelta(
            days=int(rng.integers(1, length)), hours=int(rng.integers(1, 8))
        )
        entry = entry_service.create_entry(
            round_=round_,
            category=categories[org["category"]],
            data=proposal,
            actor=user,
            now=written,
        )
        people.attach_sk(entry, org, e, i, user, written)
        handed = written + timedelta(days=int(rng.integers(1, 10)), minutes=i)
        entry_service.submit_entry(entry=entry, actor=user, now=handed)
        if entry.is_in_agency_review:  # a puskesmas: its Admin Lokal submits it
            entry_service.submit_entry(
                entry=entry, actor=people.agency_admin, now=handed + timedelta(hours=3)
            )
        demo.entries.append(entry)
    demo_screening(demo, committee, people.story["screening"], year)
    return demo


def demo_screening(demo: DemoRound, committee: User, text: dict, year: int) -> None:
    """The committee screened every entry (those without a flag in one step, the others after
    a closer look; all were found eligible), then announced the result and made it final."""
    stage = rounds.stage_of_kind(demo.round_, StageKind.SCREENING)
    when = stage.opens_at + timedelta(days=1)
    screening.accept_clean(
        round_=demo.round_, reason=text["clean_reason"], actor=committee, now=when
    )
    for entry in screening.list_submitted(demo.round_):
        if entry.screening == Screening.PENDING:
            screening.decide(
                entry=entry,
                eligible=True,
                actor=committee,
                now=when,
                reason=text["clarified_reason"],
            )
    notice = announcements.issue_announcement(
        stage=stage,
        title=text["announcement"].format(year=year),
        objection_days=None,
        actor=committee,
        now=stage.closes_at - timedelta(hours=2),
    )
    announcements.finalize(announcement=notice, actor=committee, now=stage.closes_at)


def judge_stage(
    stage: Stage, demo: DemoRound, people, quality, rng, now=None, template=None, slip=None
):
    """Rubric, automatic assignment (three judges per entry) and simulated sheets; with
    ``now`` inside the window, only the sheets judges would have written by then; ``slip``:
    the judge whose first sheet is typed on a 1-10 scale (``simulate_sheets``)."""
    committee = people.committee
    if template == "desk":
        criteria = demo_scoring.demo_rubric(stage, committee)
    else:
        criteria = rubric_service.apply_template(
            stage=stage, key="kipp_presentation", actor=committee
        )
    demo_scoring.demo_assign(stage, committee)
    return demo_scoring.simulate_sheets(
        stage,
        criteria,
        people.judges,
        people.judge_data,
        people.competition["comments"],
        rng,
        quality=quality,
        now=now,
        slip=slip,
    )


def announce_finalists(demo: DemoRound, people, year: int, objection: bool) -> None:
    """After the desk evaluation: the top five of each category advance; their nomination is
    announced with a five-day public objection period, (in 2026) one objection is filed and
    rejected with the committee's reason, and the list is made final."""
    committee = people.committee
    desk = demo.scored[0]
    candidates = advancement.propose(stage=desk, top_n=FINALISTS_PER_CATEGORY)
    decided = desk.closes_at + timedelta(days=2)
    advancement.confirm(
        stage=desk,
        candidates=candidates,
        advance={c.entry.id for c in candidates if c.proposed},
        reasons={},
        actor=committee,
        now=decided,
    )
    story = people.story
    nominees = announcements.issue_announcement(
        stage=desk,
        title=story["nomination"].format(year=year),
        objection_days=5,
        actor=committee,
        now=decided + timedelta(hours=3),
        winners=awards.published_winner_ids,
    )
    if objection:
        text = story["objection"]
        filed = announcements.file_objection(
            announcement=nominees,
            entry_id=nominees.entry_ids[-1],
            name=text["name"],
            contact=text["contact"],
            reason=text["reason"],
            evidence=text["evidence"],
            now=decided + timedelta(days=2),
            address="",  # not from the web: only the announcement's own limit counts
        )
        announcements.decide_objection(
            objection=filed,
            upheld=False,
            reason=text["decision"],
            actor=committee,
            now=decided + timedelta(days=7),
        )
    announcements.finalize(
        announcement=nominees, actor=committee, now=nominees.objections_close_at + timedelta(days=1)
    )


def quality_of(entries: list[Entry], rng) -> dict[int, float]:
    """Each entry's underlying quality (1-10), the same in every stage of its round."""
    return {e.id: float(np.clip(rng.normal(6.6, 1.1), 3.5, 9.3)) for e in entries}


def finished_round(people, now: datetime, rng) -> tuple[DemoRound, int]:
    """KOINYANLIK 2025: every stage done; awards after the field verification."""
    data = people.competition["past_round"]
    demo = build_round(year=2025, data=data, people=people, now=now, rng=rng)
    quality = quality_of(demo.entries, rng)
    desk, presentation, field_visit = demo.scored
    demo_scoring.demo_conflicts(
        people.competition["conflicts"], people.committee, people.judges, people.orgs, demo.entries
    )
    n = judge_stage(desk, demo, people, quality, rng, template="desk")
    announce_finalists(demo, people, 2025, objection=False)
    n += judge_stage(presentation, demo, people, quality, rng)
    advance_finalists(presentation, people.committee)
    n += judge_stage(field_visit, demo, people, quality, rng)
    combined.set_stage_weights(
        round_=demo.round_,
        weights=dict(zip((s.id for s in demo.scored), STAGE_WEIGHTS)),
        actor=people.committee,
    )
    announcement = rounds.stage_of_kind(demo.round_, StageKind.ANNOUNCEMENT)
    # The public's favourite: the best-liked entry that did not reach the final.
    finalists = set(advancement.advanced_ids(presentation))
    favourite = max((e for e in demo.entries if e.id not in finalists), key=lambda e: quality[e.id])
    publish_demo_results(
        field_visit, people.committee, announcement.opens_at + timedelta(days=1), favourite
    )
    return demo, n


def advance_finalists(stage: Stage, committee: User) -> None:
    """Every finalist of ``stage`` goes on to the next scored stage (the field visits)."""
    candidates = advancement.propose(stage=stage, top_n=FINALISTS_PER_CATEGORY)
    advancement.confirm(
        stage=stage,
        candidates=candidates,
        advance={c.entry.id for c in candidates if c.proposed},
        reasons={},
        actor=committee,
        now=stage.closes_at + timedelta(days=1),
    )


def current_round(people, now: datetime, rng) -> tuple[DemoRound, int]:
    """KOINYANLIK 2026: desk evaluation done (with a panel chaired by ``juri1`` and one sheet
    reopened for a typing error), finalists announced and final, presentations being scored
    (one sheet typed on a 1-10 scale, for the committee to find on the ranking page)."""
    data = people.competition["round"]
    demo = build_round(year=2026, data=data, people=people, now=now, rng=rng)
    quality = quality_of(demo.entries, rng)
    desk, presentation, _field = demo.scored
    demo_scoring.demo_conflicts(
        people.competition["conflicts"],
        people.committee,
        people.judges,
        people.orgs,
        demo.entries,
        people_too=False,
    )
    demo_scoring.demo_panel(desk, people.committee, people.judges, people.story["panel"])
    n = judge_stage(desk, demo, people, quality, rng, template="desk")
    demo_scoring.demo_reopen(desk, people.committee, people.story["reopen"])
    announce_finalists(demo, people, 2026, objection=True)
    n += judge_stage(
        presentation, demo, people, quality, rng, now=now, slip=people.story["slip"]["judge"]
    )
    combined.set_stage_weights(
        round_=demo.round_,
        weights=dict(zip((s.id for s in demo.scored), STAGE_WEIGHTS)),
        actor=people.committee,
    )
    return demo, n
