"""How passwords are stored: Argon2id, with OWASP's parameters.

New hashes are Argon2id (RFC 9106) with m = 19 MiB (19,456 KiB), t = 2 iterations, p = 1 lane,
a 16-byte random salt and a 32-byte tag: the first of the equivalent settings of the OWASP
Password Storage Cheat Sheet
(https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id).
Argon2id is memory-hard like scrypt but is OWASP's first choice, and these parameters cost about
35 ms of one core per hash, where Werkzeug's scrypt:32768:8:1 (below OWASP's scrypt minimum of
N=2^17) cost about 135 ms: on the deadline day the login was 40% of an OPD's CPU.

Hashes stored before (Werkzeug's ``scrypt:...`` and ``pbkdf2:...``) still verify;
``needs_rehash`` says so, and a successful login stores an Argon2id hash in their place
(``competition.accounts.services.authenticate``). Should the parameters below change, the same
path rehashes the older Argon2 hashes too.

A stored hash that cannot be read (truncated, unknown method) refuses the password: it never
raises, so a broken row is a failed login, not a server error.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import Argon2Error
from werkzeug.security import check_password_hash

TIME_COST = 2
MEMORY_COST = 19 * 1024  # KiB
PARALLELISM = 1

_hasher = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_COST,
    parallelism=PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)

# Werkzeug's formats, from before Argon2: "method:params$salt$hash".
_LEGACY = ("scrypt:", "pbkdf2:")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` in the PHC string format (``$argon2id$v=19$m=...``)."""
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash: Argon2, or a Werkzeug scrypt/pbkdf2 hash
    from before. False for a hash that cannot be read."""
    stored = stored or ""
    try:
        if stored.startswith("$argon2"):
            return _hasher.verify(stored, password)
        if stored.startswith(_LEGACY):
            return check_password_hash(stored, password)
    except (Argon2Error, ValueError, OverflowError):
        # argon2's mismatch and verification errors, its InvalidHashError (a ValueError), and
        # Werkzeug's ValueErrors on unknown methods or unreadable parameters.
        return False
    return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` is not an Argon2id hash with the parameters above (a Werkzeug hash,
    or Argon2 with other parameters): hash the password again once it is known to be right."""
    if not (stored or "").startswith("$argon2"):
        return True
    try:
        return _hasher.check_needs_rehash(stored)
    except ValueError:  # InvalidHashError
        return True
