"""The message a new account receives (``competition.accounts.messages``): its username and
where to log in, in the account's language, never its password."""

from sqlalchemy import select

from competition.accounts import messages
from competition.db import db, utcnow
from competition.notifications.models import Notification
from tests import factories


def test_accounts_created_invites_each_account_in_its_language(app):
    budi = factories.make_user(role="opd", username="budi", name="Budi Santoso")
    ann = factories.make_user(role="judge", username="ann", name="Ann Lee")
    budi.email, ann.locale = "budi@palembang.go.id", "en"
    with app.test_request_context():
        messages.accounts_created(users=[budi, ann], now=utcnow())
    db.session.commit()
    to_budi, to_ann = db.session.scalars(select(Notification).order_by(Notification.id))
    assert (to_budi.user_id, to_budi.recipient, to_budi.kind) == (
        budi.id,
        "budi@palembang.go.id",
        "invitation",
    )
    assert to_budi.subject == "Akun Juri Anda: budi"
    assert to_budi.body.startswith("Yth. Budi Santoso, akun Juri telah dibuat untuk Anda")
    assert (to_ann.user_id, to_ann.recipient) == (ann.id, "")
    assert to_ann.subject == "Your Juri account: ann"
    assert to_ann.body.startswith("Dear Ann Lee, an account was created for you on Juri")
    for note in (to_budi, to_ann):
        assert note.body.endswith("/login") and factories.PASSWORD not in note.body
