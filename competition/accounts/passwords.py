"""Password rules after NIST SP 800-63B: length, not composition.

At least ``MIN_LENGTH`` characters (spaces and any Unicode allowed, nothing truncated), at most
``MAX_LENGTH``; refused when it is a commonly used or breached password, a repetition or
sequence, or built from the account's own username. No rules like "one digit and one symbol",
no forced periodic changes: they push people to weaker, predictable passwords.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from competition.errors import InvalidState

MIN_LENGTH = 10


MAX_LENGTH = 128


# Common and breached passwords (global lists and Indonesian favourites), compared lowercased.
COMMON = frozenset(
    """
123456 1234567 12345678 123456789 1234567890 12345678910 0123456789 987654321 password
password1 password123 passw0rd p@ssw0rd qwerty qwerty123 qwertyuiop asdfghjkl zxcvbnm
1q2w3e4r 1q2w3e4r5t 1qaz2wsx abc123 abcd1234 abcdefgh iloveyou sunshine princess admin
admin123 administrator welcome welcome1 welcome123 letmein football monkey dragon master
superman batman trustno1 baseball shadow michael jennifer 111111 000000 666666 888888
123123 112233 121212 654321 indonesia indonesia1 indonesia45 merdeka merdeka45 bismillah
bismillah123 sayang sayangku rahasia rahasia123 katasandi katakunci palembang jakarta
bandung surabaya garuda pancasila cintaku akusayangkamu sayangkamu kucing anjing
juri-demo jurijuri juri12345 panitia panitia123 pemkot pemda pemkot123 pemda123
""".split()
)


SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def password_problems(password: str, *, username: str = "") -> list[str]:
    """Why ``password`` is refused (empty: it is acceptable). Messages are translated."""
    password = _normal(password or "")
    low = password.lower()
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            str(
                _l(
                    "Use at least %(n)d characters; a few words make a long "
                    "password that is easy to remember.",
                    n=MIN_LENGTH,
                )
            )
        )
    if len(password) > MAX_LENGTH:
        problems.append(str(_l("Use at most %(n)d characters.", n=MAX_LENGTH)))
    if low in COMMON or low.rstrip("0123456789!.") in COMMON:
        problems.append(
            str(_l("This password is too common; it is among the first that attackers try."))
        )
    elif len(set(low)) <= 2 or any(  # a run of keys, also wrapping around: 12345678901
        low in seq * 3 or low in (seq * 3)[::-1] for seq in SEQUENCES
    ):
        problems.append(str(_l("A repetition or a sequence of keys is easy to guess.")))
    user = _normal(username or "").lower()
    if user and len(user) >= 3 and user in low:
        problems.append(str(_l("Do not build the password from your username.")))
    return problems


def require_acceptable(password: str, *, username: str = "") -> None:
    """The one password policy, for services that set a password whatever their caller (a
    page, an import, the CLI): raises ``InvalidState`` naming every problem."""
    problems = password_problems(password, username=username)
    if problems:
        raise InvalidState(" ".join(problems))


class AcceptablePassword:
    """WTForms validator applying ``password_problems`` to a new password; the username comes
    from ``username_field`` of the same form (a new account's), else from ``username(form)``
    (e.g. the signed-in user's)."""

    def __init__(self, *, username_field: str | None = None, username=None):
        self.username_field, self.username = username_field, username

    def __call__(self, form, field) -> None:
        if self.username_field:
            username = form[self.username_field].data or ""
        else:
            username = self.username(form) if self.username else ""
        problems = password_problems(field.data or "", username=username)
        if problems:
            raise ValidationError(" ".join(problems))
