"""``flask demo load``: a believable KOINYANLIK-style competition for newcomers to explore.

It sits in ``judging`` because it drives both packages (judging may import competition).
Everything goes through the same service functions the web UI uses, so the demo is built by
the rules it shows. The content (organisations, entries, judges, comments) is read from the
data files in ``judging/demo/data/`` (see ``content``). This module builds the accounts, the
rounds and the entries and tells the story; ``scoring`` does the judging, where scores are
simulated from each judge's offset, spread and noise in ``judges.csv``, so harsh and lenient
judges are visible on the ranking page; ``publishing`` publishes the results.
"""

from __future__ import annotations

import io
import time
from datetime import timedelta

import click
import numpy as np
from flask.cli import AppGroup
from sqlalchemy import func, select

from competition.accounts.models import Organisation, Role, User
from competition.actors import SYSTEM_DEMO, acting_as
from competition.announcements import services as announcements
from competition.db import db, utcnow
from competition.entries import attachments, screening
from competition.entries import services as entry_service
from competition.entries.models import AttachmentKind, Screening
from competition.rounds import services as rounds
from competition.rounds.models import StageKind
from judging.analysis import advancement, combined
from judging.demo import content
from judging.demo import scale as demo_scale
from judging.demo import scoring as demo_scoring
from judging.demo.kipp import kipp_sections, sk_pdf
from judging.demo.publishing import publish_demo_results
from judging.results import awards

demo_cli = AppGroup("demo", help="Demo competition.")


DEMO_PASSWORD = "juri-demo"


COMMITTEE_USERNAME = "panitia"


def _user(username, name, role, password=DEMO_PASSWORD, **kw) -> User:
    user = User(username=username, name=name, role=role, **kw)
    user.set_password(password)
    db.session.add(user)
    return user


def demo_contacts() -> None:
    """Email addresses for the demo accounts (reserved .example domain: nothing is delivered),
    so the committee's outbox shows the receipts, decisions, assignments and publication
    notices the demo writes."""
    for user in db.session.scalars(select(User).where(User.email.is_(None))):
        user.email = f"{user.username}@juri-demo.example"


AGENCY_USERNAME = "admin-dinkes"


def demo_agency(orgs, org_data, story) -> User:
    """Dinas Kesehatan coordinates the city's puskesmas (their ``parent`` in
    ``organisations.csv``): its Admin Lokal sees and corrects their proposals and submits them
    to the committee (two levels, as in KIPP's SiNovik)."""
    admin = _user(AGENCY_USERNAME, story["agency_admin"], Role.AGENCY, organisation=orgs["dinkes"])
    for key, org in orgs.items():
        if org_data[key]["parent"]:
            org.parent = orgs[org_data[key]["parent"]]
    return admin


def demo_regions(orgs, city) -> None:
    """A city competition: every participant is in the city (the puskesmas count under
    Dinas Kesehatan, their agency, so they have no region of their own)."""
    for org in orgs.values():
        if org.parent is None:
            org.region, org.province = city["region"], city["province"]


def attach_sk(entry, org, e, i, user, now) -> None:
    """The SK decree of a demo entry (a generated one-page PDF)."""
    attachments.store_attachment(
        entry=entry,
        kind=AttachmentKind.SK,
        filename=f"SK-tim-inovasi-{org['key']}.pdf",
        stream=io.BytesIO(sk_pdf(org, e, i, entry.innovation_started_on.year)),
        actor=user,
        now=now,
    )


# Windows of the 2026 timeline in days from now: submissions closed a month ago, screening
# and the desk evaluation are done, the presentations and field visits are coming.
DEMO_WINDOWS = [(-75, -30), (-30, -28), (-28, -7), (5, 12), (14, 21), (25, 30)]


def demo_timeline(round_, committee, now):
    """The 2026 round gets the full KIPP-style stage sequence; returns the desk evaluation."""
    stages = rounds.apply_stage_template(round_=round_, actor=committee)
    for stage, (start, end) in zip(stages, DEMO_WINDOWS):
        rounds.update_stage(
            stage=stage,
            name=stage.name,
            opens_at=now + timedelta(days=start),
            closes_at=now + timedelta(days=end),
            is_skipped=False,
            actor=committee,
        )
    return next(s for s in stages if s.is_scored)


def demo_stage_weights(round_, committee) -> None:
    """KIPP weighs its three scored stages: desk evaluation 40 %, presentation and interview
    30 %, field verification 30 %. The final ranking page shows the desk scores so far; the
    entries join the final ranking once scored in every stage."""
    weights = dict(zip((s.id for s in combined.scored_stages(round_)), (40, 30, 30)))
    combined.set_stage_weights(round_=round_, weights=weights, actor=committee)


def demo_screening(round_, committee, text) -> None:
    """The committee screened every entry: those without a flag in one step, the others
    after a closer look (all of the demo's entries were found eligible)."""
    stage = rounds.stage_of_kind(round_, StageKind.SCREENING)
    when = stage.opens_at + timedelta(days=1)
    screening.accept_clean(
        round_=round_,
        reason=text["clean_reason"],
        actor=committee,
        now=when,
    )
    for entry in screening.list_submitted(round_):
        if entry.screening == Screening.PENDING:
            screening.decide(
                entry=entry,
                eligible=True,
                actor=committee,
                now=when,
                reason=text["clarified_reason"],
            )


def demo_nominations(round_, desk, committee, story, now) -> None:
    """The screening result was announced and made final; the top five of each category
    advanced from the desk evaluation to the presentations, and their nomination is in its
    public objection period, with one objection waiting for the committee's decision."""
    screening_stage = rounds.stage_of_kind(round_, StageKind.SCREENING)
    first = announcements.issue_announcement(
        stage=screening_stage,
        title=story["screening"]["announcement"],
        objection_days=None,
        actor=committee,
        now=screening_stage.closes_at,
    )
    announcements.finalize(
        announcement=first, actor=committee, now=screening_stage.closes_at + timedelta(hours=1)
    )
    candidates = advancement.propose(stage=desk, top_n=5)
    advancement.confirm(
        stage=desk,
        candidates=candidates,
        advance={c.entry.id for c in candidates if c.proposed},
        reasons={},
        actor=committee,
        now=desk.closes_at + timedelta(days=2),
    )
    objection = story["objection"]
    nominees = announcements.issue_announcement(
        stage=desk,
        title=story["nomination"],
        objection_days=5,
        actor=committee,
        now=now - timedelta(days=1),
        winners=awards.published_winner_ids,
    )
    announcements.file_objection(
        announcement=nominees,
        entry_id=nominees.entry_ids[-1],
        name=objection["name"],
        contact=objection["contact"],
        reason=objection["reason"],
        evidence=objection["evidence"],
        now=now - timedelta(hours=5),
        address="",  # not from the web: only the announcement's own limit counts
    )


def demo_sections(round_, committee, text) -> None:
    """The 2027 proposal differs from KIPP's a little: the summary is an executive summary,
    and the city asks every group how the innovation serves its mid-term plan (RPJMD)."""
    rounds.set_sections(
        round_=round_,
        limits={},
        labels=text["labels"],
        off=set(),
        actor=committee,
    )
    custom = text["custom_section"]
    rounds.add_custom_section(
        round_=round_,
        label=custom["label"],
        words=custom["words"],
        groups=custom["groups"],
        actor=committee,
        help=custom["help"],
    )


def demo_agency_review(round_, opd_users, org_data, entry_data, categories, text, now) -> None:
    """In the open 2027 round, Puskesmas Dempo has handed its proposal to the Admin Lokal of
    Dinas Kesehatan, who has yet to review it (log in as ``admin-dinkes``)."""
    key = text["org"]
    i, e = next((i, e) for i, e in enumerate(entry_data) if e["org"] == key)
    user, org = opd_users[key], org_data[key]
    proposal = kipp_sections(e, org, i)
    proposal["title"] += text["title_suffix"]
    for section in round_.sections_for():
        if section.custom:
            proposal[section.name] = text["custom_answer"]
    entry = entry_service.create_entry(
        round_=round_,
        category=categories[org["category"]],
        data=proposal,
        actor=user,
        now=now - timedelta(hours=20),
    )
    attach_sk(entry, org, e, i, user, now - timedelta(hours=20))
    entry_service.submit_entry(entry=entry, actor=user, now=now - timedelta(hours=19))


def load_demo(seed: int = 2026) -> dict[str, int]:
    """Build the demo competition in the current (empty) database; returns counts."""
    rng = np.random.default_rng(seed)
    now = utcnow().replace(second=0, microsecond=0)
    competition = content.competition()
    story = competition["story"]
    judge_data = content.judges()
    org_data = {o["key"]: o for o in content.organisations()}
    entry_data = content.entries()
    committee = _user(COMMITTEE_USERNAME, story["committee"], Role.COMMITTEE)
    judges = [
        _user(j["username"], j["name"], Role.JUDGE, affiliation=j["affiliation"])
        for j in judge_data
    ]
    orgs = {}
    opd_users = {}
    for o in org_data.values():
        org = Organisation(name=o["name"])
        db.session.add(org)
        orgs[o["key"]] = org
        opd_users[o["key"]] = _user(o["key"], o["contact"], Role.OPD, organisation=org)
    agency_admin = demo_agency(orgs, org_data, story)
    demo_regions(orgs, story["city"])
    db.session.flush()
    demo_contacts()

    # The 2026 round: submissions closed, desk evaluation scored and published.
    round_ = rounds.create_round(
        name=competition["round"]["name"],
        description=competition["round"]["description"],
        submission_opens_at=now - timedelta(days=75),
        submission_closes_at=now - timedelta(days=30),
        actor=committee,
    )
    categories = {
        c["key"]: rounds.add_category(
            round_=round_, name=c["name"], description=c["description"], actor=committee
        )
        for c in competition["categories"]
    }
    rounds.open_round(round_=round_, actor=committee)
    stage = demo_timeline(round_, committee, now)
    criteria = demo_scoring.demo_rubric(stage, committee)
    entries = []
    for i, e in enumerate(entry_data):
        user = opd_users[e["org"]]
        written = round_.submission_opens_at + timedelta(days=int(rng.integers(1, 30)))
        entry = entry_service.create_entry(
            round_=round_,
            category=categories[org_data[e["org"]]["category"]],
            data=kipp_sections(e, org_data[e["org"]], i),
            actor=user,
            now=written,
        )
        attach_sk(entry, org_data[e["org"]], e, i, user, written)
        handed = written + timedelta(days=int(rng.integers(1, 10)), minutes=i)
        entry_service.submit_entry(entry=entry, actor=user, now=handed)
        if entry.is_in_agency_review:  # a puskesmas: its Admin Lokal submits it
            entry_service.submit_entry(
                entry=entry, actor=agency_admin, now=handed + timedelta(hours=3)
            )
        entries.append(entry)

    demo_screening(round_, committee, story["screening"])
    demo_scoring.demo_conflicts(competition["conflicts"], committee, judges, orgs, entries)
    demo_scoring.demo_panel(stage, committee, judges, story["panel"])
    demo_scoring.demo_assign(stage, committee)
    n_sheets = demo_scoring.simulate_sheets(
        stage, criteria, judges, judge_data, entries, competition["comments"], rng
    )
    demo_scoring.demo_reopen(stage, committee, story["reopen"])
    publish_demo_results(stage, committee, stage.closes_at + timedelta(days=2))
    demo_nominations(round_, stage, committee, story, now)
    demo_stage_weights(round_, committee)

    # The 2027 round is open, so OPD users can try the proposal form.
    next_round = competition["next_round"]
    nxt = rounds.create_round(
        name=next_round["name"],
        description=next_round["description"],
        submission_opens_at=now - timedelta(days=1),
        submission_closes_at=now + timedelta(days=60),
        actor=committee,
    )
    next_categories = {
        c["key"]: rounds.add_category(
            round_=nxt, name=c["name"], description=c["description"], actor=committee
        )
        for c in competition["categories"]
    }
    rounds.open_round(round_=nxt, actor=committee)
    rounds.apply_stage_template(round_=nxt, actor=committee)
    demo_sections(nxt, committee, next_round)
    demo_agency_review(
        nxt, opd_users, org_data, entry_data, next_categories, next_round["agency_review"], now
    )
    db.session.flush()
    return {
        "organisations": len(orgs),
        "judges": len(judges),
        "entries": len(entries),
        "sheets": n_sheets,
    }


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
@click.option(
    "--scale",
    type=click.Choice(["city", *demo_scale.SCALES]),
    default="city",
    show_default=True,
    help="city: the KOINYANLIK demo; national/iga: a generated round added to the "
    "database (3,000 entries / 15,000 sheets, or 40,000 / 200,000).",
)
def load_command(if_empty: bool, scale: str) -> None:
    """Load the demo competition into an empty database, or add a generated large round."""
    # What the loader writes itself is recorded as the demo's; the services it calls record
    # the demo committee account they are given as actor.
    with acting_as(SYSTEM_DEMO):
        if scale != "city":
            probe = User(username="-", name="-", role=Role.JUDGE)
            probe.set_password(DEMO_PASSWORD)
            t0 = time.perf_counter()
            counts = demo_scale.load_scaled(scale, password_hash=probe.password_hash)
            db.session.commit()
            click.echo(
                f"Round {scale} loaded in {time.perf_counter() - t0:.1f} s: "
                + ", ".join(f"{v} {k}" for k, v in counts.items())
            )
            click.echo(
                f"Logins (password '{DEMO_PASSWORD}'): judges and OPDs are named after the "
                "round, e.g. 'nat<round>-juri1', 'nat<round>-opd1'."
            )
            return
        if db.session.scalar(select(func.count(User.id))):
            if if_empty:
                click.echo("Database already has data; demo not loaded.")
                return
            raise click.ClickException(
                "The database is not empty; the demo loads only into an empty database."
            )
        counts = load_demo()
        db.session.commit()
        click.echo("Demo loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        click.echo(
            f"Logins (password '{DEMO_PASSWORD}'): committee '{COMMITTEE_USERNAME}', "
            f"judges 'juri1'..'juri9', OPDs e.g. 'dinkes', 'disdukcapil', "
            f"Admin Lokal '{AGENCY_USERNAME}'."
        )
