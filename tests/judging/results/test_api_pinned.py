"""The public API's answers, pinned byte for byte (``api_pinned.txt``): the demo's endpoints
(rounds, results whole and paged, certificates valid, revoked and unknown, announcements) and a
round published in the alphabetical style (only its awarded rows, sorted by title as the public
page sorts them).

Refactoring the API's queries must not change one byte of what it answers. Only what changes
from one load to the next is replaced, by placeholders numbered in order of appearance: the
certificate numbers (random), the times (the demo counts from the day it is loaded; the
alphabetical round from now) and the announcements' ids. Set ``JURI_PIN_API=write`` to rewrite
the file after an intended change of the API, and read the diff."""

import hashlib
import os
import re
from pathlib import Path

from sqlalchemy import select

from competition.db import db
from judging.results import awards
from judging.results import publication as publication_service
from judging.results.models import Certificate
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories

PINNED = Path(__file__).with_name("api_pinned.txt")

NUMBER = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b")

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?\+00:00")

# An announcement's page is addressed by its id, which the database hands out (on PostgreSQL
# the sequences go on after earlier tests).
ANNOUNCEMENT = re.compile(r"(?<=/announcements/)\d+")

# Two categories of five: three awarded places each, two entries the alphabetical style hides.
# Titles whose order by casefold differs from their order by code point ("Zebra" < "alpha").
ALPHABETICAL = {
    "Dinas/Badan": ["Zebra Cross Pintar", "alpha Sehat", "Ábaco Data", "beta Cepat", "Cakap"],
    "Kecamatan": ["STRASSE Digital", "straße Bersih", "Ojek Sampah", "ojol Desa", "Kopi Kita"],
}


def _publish_alphabetical() -> str:
    """A round in the alphabetical style, published, with a special award; its slug."""
    committee = factories.make_user(role="committee", username="panitia-abjad")
    round_ = factories.make_round(name="Lomba Abjad 2026", categories=tuple(ALPHABETICAL))
    settings = awards.settings_of(round_)
    settings.style = "alphabetical"
    db.session.add(settings)
    stage = factories.make_stage(round_)
    judge = factories.make_user(role="judge", username="juri-abjad")
    criteria = rubric_service.list_criteria(stage)
    entries = []
    for category in round_.categories:
        for i, title in enumerate(ALPHABETICAL[category.name]):
            owner = factories.make_opd_user(f"OPD {title}", username=f"opd-{len(entries)}")
            entry = factories.make_entry(round_, owner, title=title, category=category)
            sheet_service.save_sheet(
                assignment=factories.make_assignment(stage, entry, judge),
                inputs={c.id: sheet_service.CriterionInput(float(9 - i)) for c in criteria},
                submit=True,
                actor=judge,
                now=stage.opens_at,
            )
            entries.append(entry)
    publication_service.publish_results(stage=stage, actor=committee, now=stage.closes_at)
    awards.give_special_award(
        round_=round_,
        entry=entries[4],
        title="Inovasi Terfavorit",
        actor=committee,
        now=stage.closes_at,
    )
    db.session.commit()
    return round_.slug


def _transcript(client, urls: list[str]) -> str:
    """Each answer: the URL, the status, the type, the Link header and the body as sent."""
    parts = []
    for url in urls:
        r = client.get(url)
        parts.append(
            f"GET {url}\n{r.status_code} {r.content_type} Link: {r.headers.get('Link')}\n"
            f"{r.get_data(as_text=True)}"
        )
    return "\n".join(parts)


def _placeholders(text: str) -> str:
    """Certificate numbers, times and announcement ids replaced by ``NUMBER-k``, ``TIME-k`` and
    ``ANNOUNCEMENT-k`` (k: the order of first appearance, so equal values keep equal
    placeholders)."""
    text = _numbered(_numbered(text, NUMBER, "NUMBER"), TIME, "TIME")
    return _numbered(text, ANNOUNCEMENT, "ANNOUNCEMENT")


def _numbered(text: str, pattern: re.Pattern, name: str) -> str:
    seen: dict[str, str] = {}
    return pattern.sub(lambda m: seen.setdefault(m[0], f"{name}-{len(seen) + 1}"), text)


def test_api_answers_are_pinned(app, demo):
    alphabetical = _publish_alphabetical()
    client = app.test_client()
    results = "/api/v1/rounds/koinyanlik-2025/results"
    mine = f"/api/v1/rounds/{alphabetical}/results"
    urls = [
        "/api/v1/rounds",
        results,
        *(f"{results}?per_page=4&page={page}" for page in range(1, 5)),
        f"{results}?page=99&per_page=0",
        mine,
        *(f"{mine}?per_page=4&page={page}" for page in range(1, 3)),
        "/api/v1/rounds/koinyanlik-2026/results",  # not published
        "/api/v1/rounds/no-such-round/results",
    ]
    text = _transcript(client, urls)
    # every certificate the results link, then the demo's revoked ones (a correction
    # replaced them), by what they print; then numbers never issued
    linked = list(dict.fromkeys(NUMBER.findall(text)))
    revoked = db.session.scalars(
        select(Certificate.code)
        .where(Certificate.revoked_at.is_not(None))
        .order_by(Certificate.holder, Certificate.award, Certificate.title)
    ).all()
    assert linked and revoked
    numbers = [f"/api/v1/certificates/{n}" for n in [*linked, *revoked]]
    numbers += ["/api/v1/certificates/0000-0000-0000-0000", "/api/v1/certificates/nonsense"]
    text += "\n" + _transcript(client, numbers)
    # the announcements of who passes each stage: the finished round's, the round under way's
    # (public before any result), none for an unknown slug
    text += "\n" + _transcript(
        client,
        [f"/api/v1/rounds/koinyanlik-{year}/announcements" for year in (2025, 2026)]
        + ["/api/v1/rounds/no-such-round/announcements"],
    )
    document = client.get("/api/v1/openapi.json").get_data()
    text += f"\nGET /api/v1/openapi.json sha256 {hashlib.sha256(document).hexdigest()}\n"
    text = _placeholders(text)
    if os.environ.get("JURI_PIN_API") == "write":
        PINNED.write_text(text, encoding="utf-8")
    assert text == PINNED.read_text(encoding="utf-8")
