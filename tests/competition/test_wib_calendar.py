"""Calendar dates the competition side derives from a moment are WIB dates (Asia/Jakarta,
UTC+7): between 17:00 and 24:00 UTC the WIB date is already the next day (and at 17:00 UTC on
31 December, the next year). Each test pins ``now`` on both sides of such a change."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale

from competition.announcements import services as announcements
from competition.db import db
from competition.entries import checks as entry_checks
from competition.entries import screening
from competition.entries import services as entries
from competition.errors import InvalidFields
from competition.rounds import services as rounds
from competition.rounds.models import StageKind
from tests import factories

# 4 December 2026 in WIB begins at 17:00 UTC on 3 December.
EVENING_UTC = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)  # 01:00 WIB on 4 December
AFTERNOON_UTC = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)  # 23:00 WIB on 3 December
NEW_YEAR_WIB = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)  # 00:30 WIB on 1 January 2027


def test_an_innovation_one_year_old_today_in_wib_is_old_enough(app, opd, open_round):
    entry = factories.make_entry(open_round, opd)
    entry.innovation_started_on = date(2025, 12, 4)
    entry_checks.check_age(entry, EVENING_UTC)  # its first anniversary in WIB, not yet in UTC
    with pytest.raises(InvalidFields) as exc:
        entry_checks.check_age(entry, AFTERNOON_UTC)
    assert "2025-12-03" in str(exc.value.errors["innovation_started_on"])


def test_a_start_date_of_today_in_wib_is_not_in_the_future(app, opd, open_round):
    entry = factories.make_entry(open_round, opd, submitted=False)
    open_round.submission_opens_at = AFTERNOON_UTC - timedelta(days=30)
    open_round.submission_closes_at = EVENING_UTC + timedelta(days=30)
    db.session.flush()
    today_wib = {"title": entry.title, "innovation_started_on": date(2026, 12, 4)}
    entries.update_entry(entry=entry, data=today_wib, actor=opd, now=EVENING_UTC)
    assert entry.innovation_started_on == date(2026, 12, 4)
    with pytest.raises(InvalidFields) as exc:
        entries.update_entry(entry=entry, data=today_wib, actor=opd, now=AFTERNOON_UTC)
    assert set(exc.value.errors) == {"innovation_started_on"}


def _age_check(checklist):
    """The checklist's age check: the one whose detail names the start date."""
    with force_locale("en"):
        return next(
            c for c in checklist.checks if "4 December 2025" in " ".join(map(str, c.detail))
        )


def test_screening_checks_the_age_on_the_wib_date_of_the_submission(app, opd, open_round):
    entry = factories.make_entry(open_round, opd)
    entry.innovation_started_on = date(2025, 12, 4)
    entry.submitted_at = EVENING_UTC
    db.session.commit()
    (checklist,) = screening.checklists(open_round)
    age = _age_check(checklist)
    assert age.ok
    entry.submitted_at = AFTERNOON_UTC
    db.session.commit()
    (checklist,) = screening.checklists(open_round)
    age = _age_check(checklist)
    assert not age.ok


def test_an_announcement_is_numbered_in_the_year_of_its_wib_date(app, committee, opd, open_round):
    stage = factories.make_stage(open_round, criteria=[])
    stage.kind = StageKind.SUBMISSION
    factories.make_entry(open_round, opd)
    db.session.flush()
    first = announcements.issue_announcement(
        stage=stage, title="Daftar", objection_days=None, actor=committee, now=NEW_YEAR_WIB
    )
    second = announcements.issue_announcement(
        stage=stage,
        title="Ralat",
        objection_days=None,
        actor=committee,
        now=NEW_YEAR_WIB - timedelta(hours=1),  # 23:30 WIB on 31 December 2026
    )
    assert first.number == "001/PANITIA/KOINYANLIK-2026/2027"
    assert second.number == "002/PANITIA/KOINYANLIK-2026/2026"


def test_next_year_of_a_round_without_a_year_counts_from_the_wib_year(app):
    assert rounds.next_year_name("Lomba Inovasi", now=NEW_YEAR_WIB) == "Lomba Inovasi 2028"
    before = NEW_YEAR_WIB - timedelta(hours=1)
    assert rounds.next_year_name("Lomba Inovasi", now=before) == "Lomba Inovasi 2027"
    assert rounds.next_year_name("KOINYANLIK 2026", now=NEW_YEAR_WIB) == "KOINYANLIK 2027"
