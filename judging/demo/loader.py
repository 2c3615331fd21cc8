"""``flask demo load``: a believable KOINYANLIK-style competition for newcomers to explore.

It sits in ``judging`` because it drives both packages (judging may import competition).
Everything goes through the same service functions the web UI uses, so the demo is built by
the rules it shows. Scores are simulated from each judge's offset, spread and noise in
``demo_data.JUDGES``, so harsh and lenient judges are visible on the ranking page.
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
from judging.demo import data
from judging.demo import scale as demo_scale
from judging.demo.kipp import kipp_sections, sk_pdf
from judging.demo.publishing import publish_demo_results
from judging.panels import assignment as assignment_service
from judging.panels import conflicts
from judging.panels import services as panels
from judging.results import awards
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import Criterion

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


def demo_agency(orgs) -> User:
    """Dinas Kesehatan coordinates the city's puskesmas: its Admin Lokal sees and corrects
    their proposals and submits them to the committee (two levels, as in KIPP's SiNovik)."""
    admin = _user(
        AGENCY_USERNAME, "Admin Lokal Dinas Kesehatan", Role.AGENCY, organisation=orgs["dinkes"]
    )
    for key, org in orgs.items():
        if key.startswith("pkm-"):
            org.parent = orgs["dinkes"]
    return admin


def demo_regions(orgs) -> None:
    """A city competition: every participant is in Kota Palembang (the puskesmas count under
    Dinas Kesehatan, their agency, so they have no region of their own)."""
    for org in orgs.values():
        if org.parent is None:
            org.region, org.province = "Kota Palembang", "Sumatera Selatan"


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


def demo_screening(round_, committee) -> None:
    """The committee screened every entry: those without a flag in one step, the others
    after a closer look (all of the demo's entries were found eligible)."""
    stage = rounds.stage_of_kind(round_, StageKind.SCREENING)
    when = stage.opens_at + timedelta(days=1)
    screening.accept_clean(
        round_=round_,
        reason="Memenuhi seluruh persyaratan administrasi.",
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
                reason="Memenuhi persyaratan setelah klarifikasi dengan OPD.",
            )


def demo_nominations(round_, desk, committee, now) -> None:
    """The screening result was announced and made final; the top five of each category
    advanced from the desk evaluation to the presentations, and their nomination is in its
    public objection period, with one objection waiting for the committee's decision."""
    screening_stage = rounds.stage_of_kind(round_, StageKind.SCREENING)
    first = announcements.issue_announcement(
        stage=screening_stage,
        title="Hasil Seleksi Administrasi KOINYANLIK 2026",
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
    nominees = announcements.issue_announcement(
        stage=desk,
        title="Nominasi Top 15 KOINYANLIK 2026 (Presentasi dan Wawancara)",
        objection_days=5,
        actor=committee,
        now=now - timedelta(days=1),
        winners=awards.published_winner_ids,
    )
    announcements.file_objection(
        announcement=nominees,
        entry_id=nominees.entry_ids[-1],
        name="Rahmat Hidayat",
        contact="0813-6712-4410",
        reason="Layanan ini di kelurahan kami belum berjalan setiap hari seperti yang ditulis "
        "dalam proposal; pada hari Sabtu loket selalu tutup.",
        evidence="Foto papan jam layanan, dikirim ke surel panitia.",
        now=now - timedelta(hours=5),
    )


def demo_sections(round_, committee) -> None:
    """The 2027 proposal differs from KIPP's a little: the summary is an executive summary,
    and the city asks every group how the innovation serves its mid-term plan (RPJMD)."""
    rounds.set_sections(
        round_=round_,
        limits={},
        labels={"summary": "Ringkasan Eksekutif"},
        off=set(),
        actor=committee,
    )
    rounds.add_custom_section(
        round_=round_,
        label="Keselarasan dengan RPJMD Kota Palembang",
        words=200,
        groups=["umum", "replikasi", "khusus"],
        actor=committee,
        help="Sasaran RPJMD 2024-2029 yang didukung inovasi ini, dan bagaimana.",
    )


def demo_agency_review(round_, opd_users, org_data, now) -> None:
    """In the open 2027 round, Puskesmas Dempo has handed its proposal to the Admin Lokal of
    Dinas Kesehatan, who has yet to review it (log in as ``admin-dinkes``)."""
    i, e = next((i, e) for i, e in enumerate(data.ENTRIES) if e["org"] == "pkm-dempo")
    user, org = opd_users["pkm-dempo"], org_data["pkm-dempo"]
    proposal = kipp_sections(e, org, i)
    proposal["title"] = f"{proposal['title']} (pengembangan 2027)"
    for section in round_.sections_for():
        if section.custom:
            proposal[section.name] = (
                "Mendukung sasaran RPJMD Kota Palembang 2024-2029 untuk meningkatkan derajat "
                "kesehatan masyarakat: indikator waktu tunggu layanan puskesmas dan cakupan "
                "pelayanan kesehatan dasar dipantau setiap triwulan."
            )
    entry = entry_service.create_entry(
        round_=round_,
        category=next(c for c in round_.categories if c.name == _category_name(org["category"])),
        data=proposal,
        actor=user,
        now=now - timedelta(hours=20),
    )
    attach_sk(entry, org, e, i, user, now - timedelta(hours=20))
    entry_service.submit_entry(entry=entry, actor=user, now=now - timedelta(hours=19))


def _category_name(key: str) -> str:
    return next(c["name"] for c in data.CATEGORIES if c["key"] == key)


def load_demo(seed: int = 2026) -> dict[str, int]:
    """Build the demo competition in the current (empty) database; returns counts."""
    rng = np.random.default_rng(seed)
    now = utcnow().replace(second=0, microsecond=0)
    committee = _user(
        COMMITTEE_USERNAME, "Panitia KOINYANLIK (Bagian Organisasi Setda)", Role.COMMITTEE
    )
    judges = [
        _user(j["username"], j["name"], Role.JUDGE, affiliation=j["affiliation"])
        for j in data.JUDGES
    ]
    orgs = {}
    opd_users = {}
    for o in data.ORGANISATIONS:
        org = Organisation(name=o["name"])
        db.session.add(org)
        orgs[o["key"]] = org
        opd_users[o["key"]] = _user(o["key"], o["contact"], Role.OPD, organisation=org)
    agency_admin = demo_agency(orgs)
    demo_regions(orgs)
    db.session.flush()
    demo_contacts()

    # The 2026 round: submissions closed, desk evaluation scored and published.
    round_ = rounds.create_round(
        name=data.ROUND["name"],
        description=data.ROUND["description"],
        submission_opens_at=now - timedelta(days=75),
        submission_closes_at=now - timedelta(days=30),
        actor=committee,
    )
    categories = {
        c["key"]: rounds.add_category(
            round_=round_, name=c["name"], description=c["description"], actor=committee
        )
        for c in data.CATEGORIES
    }
    rounds.open_round(round_=round_, actor=committee)
    stage = demo_timeline(round_, committee, now)
    criteria = _demo_rubric(stage, committee)
    org_category = {o["key"]: o["category"] for o in data.ORGANISATIONS}
    org_data = {o["key"]: o for o in data.ORGANISATIONS}
    entries = []
    for i, e in enumerate(data.ENTRIES):
        user = opd_users[e["org"]]
        written = round_.submission_opens_at + timedelta(days=int(rng.integers(1, 30)))
        entry = entry_service.create_entry(
            round_=round_,
            category=categories[org_category[e["org"]]],
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

    demo_screening(round_, committee)
    _demo_conflicts(committee, judges, orgs, entries)
    _demo_panel(stage, committee, judges)
    _demo_assign(stage, committee)
    quality = {e.id: float(np.clip(rng.normal(6.6, 1.1), 3.5, 9.3)) for e in entries}
    params = {j.id: p for j, p in zip(judges, data.JUDGES)}
    n_sheets = 0
    for a in assignment_service.list_assignments(stage):
        p = params[a.judge_id]
        q = quality[a.entry_id]
        base = 6.5 + p["spread"] * (q - 6.5) + p["offset"] + rng.normal(0, p["noise"])
        # Simulated on a 1-10 feel, scored on the KIPP 0-100 scale.
        values = np.clip(np.round((base + rng.normal(0, 0.5, len(criteria))) * 10), 0, 100)
        mood = "high" if base >= 7.5 else "mid" if base >= 5.5 else "low"
        inputs = {
            c.id: sheet_service.CriterionInput(float(v), str(rng.choice(data.COMMENTS[mood])))
            for c, v in zip(criteria, values)
        }
        sheet_service.save_sheet(
            assignment=a,
            inputs=inputs,
            submit=True,
            actor=a.judge,
            now=stage.opens_at + timedelta(hours=int(rng.integers(2, 400))),
        )
        n_sheets += 1
    _demo_reopen(stage, committee)
    publish_demo_results(stage, committee, stage.closes_at + timedelta(days=2))
    demo_nominations(round_, stage, committee, now)
    demo_stage_weights(round_, committee)

    # The 2027 round is open, so OPD users can try the proposal form.
    nxt = rounds.create_round(
        name="KOINYANLIK 2027",
        description="Pendaftaran inovasi pelayanan publik Kota Palembang tahun 2027 telah dibuka.",
        submission_opens_at=now - timedelta(days=1),
        submission_closes_at=now + timedelta(days=60),
        actor=committee,
    )
    for c in data.CATEGORIES:
        rounds.add_category(
            round_=nxt, name=c["name"], description=c["description"], actor=committee
        )
    rounds.open_round(round_=nxt, actor=committee)
    rounds.apply_stage_template(round_=nxt, actor=committee)
    demo_sections(nxt, committee)
    demo_agency_review(nxt, opd_users, org_data, now)
    db.session.flush()
    return {
        "organisations": len(orgs),
        "judges": len(judges),
        "entries": len(entries),
        "sheets": n_sheets,
    }


def _demo_rubric(stage, committee) -> list[Criterion]:
    """The desk evaluation uses the KIPP 2023 template: seven weighted criteria, 0-100,
    finalists at 85."""
    return rubric_service.apply_template(stage=stage, key="kipp2023_desk", actor=committee)


def _demo_conflicts(committee, judges, orgs, entries) -> None:
    """One judge works for an OPD and three declared conflicts (an OPD, two entries), so the
    automatic assignment has something to respect (``demo_data.CONFLICTS``)."""
    by_username = {j.username: j for j in judges}
    entry_of = {e.organisation_id: e for e in entries}
    for c in data.CONFLICTS:
        judge = by_username[c["judge"]]
        if "works_for" in c:
            conflicts.set_affiliation(
                judge=judge, organisation=orgs[c["works_for"]], actor=committee
            )
        elif "organisation" in c:
            conflicts.declare_conflict(
                judge=judge,
                organisation=orgs[c["organisation"]],
                reason=c["reason"],
                actor=committee,
            )
        else:
            conflicts.declare_conflict(
                judge=judge,
                entry=entry_of[orgs[c["entry"]].id],
                reason=c["reason"],
                actor=committee,
            )


def _demo_assign(stage, committee) -> None:
    """Automatic assignment, three judges per entry, previewed then confirmed as the
    committee does it in the UI."""
    plan = assignment_service.plan_auto_assign(stage, 3)
    assignment_service.auto_assign(
        stage=stage, judges_per_entry=3, digest=plan.digest, actor=committee
    )


def _demo_panel(stage, committee, judges) -> None:
    """One panel for the whole stage, chaired by ``juri1``, who can read the other sheets."""
    panel = panels.create_panel(
        stage=stage, name="Tim Penilai Desk Evaluation", category=None, actor=committee
    )
    for judge in judges:
        panels.add_panel_member(
            panel=panel, judge=judge, is_chair=judge.username == "juri1", actor=committee
        )


def _demo_reopen(stage, committee) -> None:
    """The committee reopened one of ``juri9``'s sheets for a typing error, and the judge
    corrected it: the sheet's history shows both (``/committee/stages/<id>/sheets/<id>``)."""
    a = next(a for a in assignment_service.list_assignments(stage) if a.judge.username == "juri9")
    when = a.sheet.submitted_at + timedelta(hours=20)
    sheet_service.reopen_sheet(
        sheet=a.sheet, reason="Salah ketik pada kriteria Signifikansi.", actor=committee, now=when
    )
    criteria = rubric_service.list_criteria(stage)
    scores = {s.criterion_id: s for s in a.sheet.scores}
    inputs = {
        c.id: sheet_service.CriterionInput(scores[c.id].value, scores[c.id].comment)
        for c in criteria
    }
    fixed = next(c for c in criteria if c.name == "Signifikansi")
    inputs[fixed.id] = sheet_service.CriterionInput(
        min(100.0, inputs[fixed.id].value + 10), inputs[fixed.id].comment
    )
    sheet_service.save_sheet(
        assignment=a,
        inputs=inputs,
        submit=True,
        actor=a.judge,
        now=min(when + timedelta(hours=3), stage.closes_at),
    )


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
