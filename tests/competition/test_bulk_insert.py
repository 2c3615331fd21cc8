"""``competition.db.bulk_insert``: COPY on PostgreSQL, executemany elsewhere; same rows either
way (the suite runs on both backends in CI)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from competition.accounts.models import User
from competition.db import bulk_insert, db
from competition.roles import Role
from judging.results.models import Certificate, CertificateKind


def test_rows_arrive_as_an_insert_would_store_them(app, open_round):
    issued = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    rows = [
        {
            "code": f"JURI-{i:04d}",
            "kind": CertificateKind.PARTICIPATION,
            "round_id": open_round.id,
            "holder": holder,
            "award": "Peserta",
            "issued_at": issued,
        }
        for i, holder in enumerate(
            ["Dinas Kesehatan", 'PDAM "Tirta" Musi', "Kecamatan Ilir\tTimur", None]
        )
    ]
    rows[3]["holder"] = "Puskesmas 7 Ulu\\Seberang\nUlu"  # COPY's special characters
    bulk_insert(Certificate.__table__, rows)
    db.session.commit()
    got = db.session.scalars(select(Certificate).order_by(Certificate.code)).all()
    assert [c.holder for c in got] == [r["holder"] for r in rows]
    assert {c.kind for c in got} == {CertificateKind.PARTICIPATION}
    assert all(c.issued_at == issued for c in got)
    # Columns left out take their defaults: revoked_reason "" (Python default), title "" too.
    assert all(c.revoked_reason == "" and c.title == "" and c.revoked_at is None for c in got)


def test_nothing_to_insert_is_fine(app):
    bulk_insert(Certificate.__table__, [])
    assert db.session.scalar(select(Certificate.id)) is None


def test_a_broken_row_fails_the_whole_insert_with_the_usual_error(app, open_round):
    rows = [
        {
            "code": "JURI-1",
            "round_id": open_round.id,
            "award": "A",
            "issued_at": datetime(2026, 1, 1, tzinfo=UTC),
        }
    ] * 2  # duplicate unique code
    with pytest.raises(IntegrityError):
        bulk_insert(Certificate.__table__, rows)
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(Certificate.id)) is None


def test_columns_left_out_with_a_python_function_default_get_its_value(app):
    """A random token and the creation time are computed per row on both backends (COPY
    cannot run them: PostgreSQL takes the executemany), never left empty."""
    rows = [
        {"username": f"juri-{i}", "name": f"Juri {i}", "role": Role.JUDGE, "password_hash": "x"}
        for i in range(3)
    ]
    bulk_insert(User.__table__, rows)
    db.session.commit()
    got = db.session.scalars(select(User).where(User.username.like("juri-%"))).all()
    tokens = {u.session_token for u in got}
    assert len(got) == 3 and len(tokens) == 3 and all(len(t) == 32 for t in tokens)
    assert all(u.created_at is not None for u in got)
