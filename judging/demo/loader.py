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

from competition.accounts.models import Organisation, User
from competition.actors import SYSTEM_DEMO, acting_as
from competition.db import db, utcnow
from competition.entries import attachments
from competition.entries import services as entry_service
from competition.entries.models import AttachmentKind
from competition.roles import Role
from competition.rounds import services as rounds
from judging.demo import content, story
from judging.demo import scale as demo_scale
from judging.demo.kipp import kipp_sections, sk_pdf

demo_cli = AppGroup("demo", help="Demo competition.")


DEMO_PASSWORD = "juri-demo"


COMMITTEE_USERNAME = "panitia"


def _user(username, name, role, password_hash: str, **kw) -> User:
    """A demo account with ``password_hash`` (of ``DEMO_PASSWORD``, computed once: every demo
    account has the same published password, and one Argon2id hash costs ~35 ms)."""
    user = User(username=username, name=name, role=role, password_hash=password_hash, **kw)
    db.session.add(user)
    return user


def demo_password_hash() -> str:
    """An Argon2id hash of ``DEMO_PASSWORD``, as ``User.set_password`` stores it."""
    probe = User(username="-", name="-", role=Role.JUDGE)
    probe.set_password(DEMO_PASSWORD)
    return probe.password_hash


def demo_contacts() -> None:
    """Email addresses for the demo accounts (reserved .example domain: nothing is delivered),
    so the committee's outbox shows the receipts, decisions, assignments and publication
    notices the demo writes."""
    for user in db.session.scalars(select(User).where(User.email.is_(None))):
        user.email = f"{user.username}@juri-demo.example"


AGENCY_USERNAME = "admin-dinkes"


def demo_agency(orgs, org_data, story, password_hash) -> User:
    """Dinas Kesehatan coordinates the city's puskesmas (their ``parent`` in
    ``organisations.csv``): its Admin Lokal sees and corrects their proposals and submits them
    to the committee (two levels, as in KIPP's SiNovik)."""
    admin = _user(
        AGENCY_USERNAME,
        story["agency_admin"],
        Role.AGENCY,
        password_hash,
        organisation=orgs["dinkes"],
    )
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


def attach_sk(entry, org, e, i, user, now, pdfs: dict | None = None) -> None:
    """The SK decree of a demo entry (a generated one-page PDF). ``pdfs``: the decrees made so
    far, by entry and year (an OPD's entry in both rounds has the same SK: made once)."""
    year = entry.innovation_started_on.year
    pdfs = {} if pdfs is None else pdfs
    if (i, year) not in pdfs:
        pdfs[i, year] = sk_pdf(org, e, i, year)
    attachments.store_attachment(
        entry=entry,
        kind=AttachmentKind.SK,
        filename=f"SK-tim-inovasi-{org['key']}.pdf",
        stream=io.BytesIO(pdfs[i, year]),
        actor=user,
        now=now,
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


def demo_agency_review(
    round_, opd_users, org_data, entry_data, categories, text, now, pdfs=None
) -> None:
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
    attach_sk(entry, org, e, i, user, now - timedelta(hours=20), pdfs)
    entry_service.submit_entry(entry=entry, actor=user, now=now - timedelta(hours=19))


class People:
    """Who takes part in the demo, and the content they write (shared by both rounds)."""

    def __init__(self, competition, rng):
        self.competition = competition
        self.story = competition["story"]
        self.judge_data = content.judges()
        self.org_data = {o["key"]: o for o in content.organisations()}
        self.entry_data = content.entries()
        hashed = demo_password_hash()
        self.committee = _user(COMMITTEE_USERNAME, self.story["committee"], Role.COMMITTEE, hashed)
        self.judges = [
            _user(j["username"], j["name"], Role.JUDGE, hashed, affiliation=j["affiliation"])
            for j in self.judge_data
        ]
        self.orgs, self.opd_users = {}, {}
        for o in self.org_data.values():
            org = Organisation(name=o["name"])
            db.session.add(org)
            self.orgs[o["key"]] = org
            self.opd_users[o["key"]] = _user(
                o["key"], o["contact"], Role.OPD, hashed, organisation=org
            )
        self.agency_admin = demo_agency(self.orgs, self.org_data, self.story, hashed)
        demo_regions(self.orgs, self.story["city"])
        db.session.flush()
        demo_contacts()
        self.sk_pdfs: dict[tuple[int, int], bytes] = {}

    def attach_sk(self, entry, org, e, i, user, now) -> None:
        attach_sk(entry, org, e, i, user, now, self.sk_pdfs)


def load_demo(seed: int = 2026) -> dict[str, int]:
    """Build the demo competition in the current (empty) database; returns counts."""
    rng = np.random.default_rng(seed)
    # Loaded at any minute, the demo's calendar counts from the last 09:00 in Jakarta (02:00
    # UTC), so its times read like office hours and none is in the future.
    loaded = utcnow()
    now = loaded.replace(hour=2, minute=0, second=0, microsecond=0)
    if now > loaded:
        now -= timedelta(days=1)
    competition = content.competition()
    people = People(competition, rng)
    committee = people.committee
    past, n_past = story.finished_round(people, now, rng)
    current, n_current = story.current_round(people, now, rng)

    # The 2027 round is open, so OPD users can try the proposal form.
    next_round = competition["next_round"]
    nxt = rounds.create_round(
        name=next_round["name"],
        description=next_round["description"],
        submission_opens_at=now - timedelta(days=1),
        submission_closes_at=now + timedelta(days=120),
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
        nxt,
        people.opd_users,
        people.org_data,
        people.entry_data,
        next_categories,
        next_round["agency_review"],
        now,
        people.sk_pdfs,
    )
    db.session.flush()
    return {
        "organisations": len(people.orgs),
        "judges": len(people.judges),
        "entries": len(past.entries) + len(current.entries),
        "sheets": n_past + n_current,
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
            hashed = demo_password_hash()
            t0 = time.perf_counter()
            counts = demo_scale.load_scaled(scale, password_hash=hashed)
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
