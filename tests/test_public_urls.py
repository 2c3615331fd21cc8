"""Every public URL keeps answering: printed certificates carry ``/verify/<number>`` in their QR
code, results pages and exports are linked from other sites, announcements are cited by
address. Each is opened anonymously on a small published round; a renamed route or prefix
fails here."""

import pytest
from sqlalchemy import select

from competition.announcements import services as announcements
from competition.db import db, utcnow
from judging.results.models import Certificate
from tests.judging.results.test_api import publish_round


@pytest.fixture
def published(app, committee, opd, judge, open_round):
    stage, pub = publish_round(open_round, committee, opd, judge)
    announcement = announcements.issue_announcement(
        stage=stage,
        title="Hasil Penilaian",
        objection_days=5,
        actor=committee,
        now=utcnow(),
        winners=lambda s: [e.id for e in open_round.entries],
    )
    db.session.commit()
    cert = db.session.scalars(
        select(Certificate).where(Certificate.revoked_at.is_(None)).order_by(Certificate.id)
    ).first()
    assert cert is not None
    return {
        "slug": open_round.slug,
        "stage": stage.id,
        "version": pub.version,
        "number": cert.code,
        "announcement": announcement.id,
    }


PUBLIC_URLS = [
    ("/", 200, "text/html"),
    ("/login", 200, "text/html"),
    ("/results/{slug}", 200, "text/html"),
    ("/results/{slug}.csv", 200, "text/csv"),
    ("/results/{slug}.xlsx", 200, "application/vnd.openxmlformats-officedocument"),
    ("/results/{slug}/stages/{stage}/v{version}", 200, "text/html"),
    ("/verify/", 200, "text/html"),  # the form to type a number
    ("/verify/{number}", 200, "text/html"),
    ("/verify/{number}.pdf", 200, "application/pdf"),
    ("/announcements/{announcement}", 200, "text/html"),
    ("/announcements/{announcement}.pdf", 200, "application/pdf"),
    ("/api/v1/rounds", 200, "application/json"),
    ("/api/v1/rounds/{slug}/results", 200, "application/json"),
    ("/api/v1/certificates/{number}", 200, "application/json"),
    ("/api/v1/openapi.json", 200, "application/json"),
]


def test_public_urls_answer_anonymously(client, published):
    # One published round for all of them (publishing renders certificates: slow to repeat).
    wrong = []
    for template, status, content_type in PUBLIC_URLS:
        url = template.format(**published)
        response = client.get(url)
        if response.status_code != status or not response.content_type.startswith(content_type):
            wrong.append(f"{url}: {response.status_code} {response.content_type}")
        elif not response.data:
            wrong.append(f"{url}: empty")
    assert not wrong, "\n".join(wrong)


def test_password_reset_page_answers_when_mail_is_configured(app, client, published):
    """Without a mail server a reset link could not be sent: the page does not exist then."""
    assert client.get("/password/forgot").status_code == 404
    app.config.update(MAIL_SERVER="127.0.0.1")
    response = client.get("/password/forgot")
    assert response.status_code == 200 and response.content_type.startswith("text/html")


def test_certificate_number_is_printed_in_the_verify_page(client, published):
    page = client.get(f"/verify/{published['number']}").get_data(as_text=True)
    assert published["number"] in page


def test_lowercase_certificate_number_still_verifies(client, published):
    """A number typed by hand from a printed certificate (the API accepts any case)."""
    response = client.get(f"/api/v1/certificates/{published['number'].lower()}")
    assert response.status_code == 200 and response.get_json()["status"] == "valid"


def test_signed_in_pages_redirect_anonymous_visitors_to_login(client, published):
    for url in ("/committee/", "/judge/", "/opd/", "/account/password"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


def test_unknown_round_and_number_are_not_found(client, published):
    assert client.get("/results/tidak-ada").status_code == 404
    assert client.get("/verify/XX-0000.pdf").status_code == 404
    assert client.get("/api/v1/rounds/tidak-ada/results").status_code == 404
