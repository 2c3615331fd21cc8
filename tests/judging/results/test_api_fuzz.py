"""Schemathesis fuzzes the JSON API in process (WSGI) against its own OpenAPI document, with a
published round in the database: no operation may answer with a server error or a response
that does not match the document.

The operations' strategies drive plain Hypothesis ``@given`` tests rather than schemathesis'
pytest plugin (``from_fixture`` reads a pytest-internal attribute that pytest 9 removed)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from competition.announcements import services as announcements
from competition.db import db
from judging.results import awards
from judging.results.models import Certificate
from tests.judging.results.test_api import publish_round

OPERATIONS = [
    "/api/v1/rounds",
    "/api/v1/rounds/{slug}/results",
    "/api/v1/rounds/{slug}/announcements",
    "/api/v1/certificates/{number}",
]  # schemathesis skips the document's own path


@pytest.fixture
def api_schema(app, committee, opd, judge, open_round, cached_data):
    """The API's schema, on a published round (built once per module and copied: see
    ``cached_data``)."""

    def build():
        stage, _pub = publish_round(open_round, committee, opd, judge)
        announcements.issue_announcement(
            stage=stage,
            title="Pemenang",
            objection_days=3,
            actor=committee,
            now=stage.closes_at,
            winners=awards.published_winner_ids,
        )
        db.session.commit()

    cached_data(build)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_every_operation_is_fuzzed(api_schema):
    found = {r.ok().path for r in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("path", OPERATIONS)
def test_api_conforms(api_schema, path):
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def fuzz(case):
        case.call_and_validate()

    fuzz()


def test_real_round_and_certificate_conform(api_schema, open_round):
    """The fuzzer never guesses a real slug or number: call those explicitly."""
    code = db.session.scalars(
        select(Certificate.code).where(Certificate.round_id == open_round.id)
    ).first()
    results = (
        api_schema["/api/v1/rounds/{slug}/results"]["GET"]
        .Case(path_parameters={"slug": open_round.slug})
        .call_and_validate()
    )
    assert results.status_code == 200 and results.json()["stages"]
    verified = (
        api_schema["/api/v1/certificates/{number}"]["GET"]
        .Case(path_parameters={"number": code})
        .call_and_validate()
    )
    assert verified.status_code == 200 and verified.json()["status"] == "valid"
    announced = (
        api_schema["/api/v1/rounds/{slug}/announcements"]["GET"]
        .Case(path_parameters={"slug": open_round.slug})
        .call_and_validate()
    )
    assert announced.status_code == 200 and announced.json()["announcements"][0]["total"] == 2
