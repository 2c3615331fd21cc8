"""Who the audit trail records: the actor of the current context.

A change is recorded as made by the actor set with ``acting_as`` around it, never guessed from
whatever happens to be global. Three places set it:

- the web layer, for each request: the signed-in user (read when the change is flushed, so a
  login within the request counts) and the client's address (``competition.web``);
- a service, from its explicit ``actor`` argument (``records_actor``), so a service called from
  a script, a test or a command records who it was called for;
- a CLI command, from ``--as USERNAME`` (``competition.accounts.cli.as_option``), or a named system
  actor (``SYSTEM_CLI``, ``SYSTEM_DEMO``) for work no person ordered.

Outside all of them the record says ``UNATTRIBUTED``: a code path that forgot to say who acts,
visible as such in the trail instead of hiding behind "system".
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Actor:
    """``id`` is the user's id (None for a system actor or an anonymous visitor), ``name`` the
    username or the system actor's name, ``address`` the client's IP address ("" off the web)."""

    id: int | None
    name: str
    address: str = ""


SYSTEM_CLI = "system:cli"  # a command run without --as (cron reminders, account bootstrap)
SYSTEM_DEMO = "system:demo"  # the demo loader
UNATTRIBUTED = "system:unattributed"  # nobody set an actor: a bug to fix where it shows

# An Actor, or a function giving one when a change is recorded (the web layer's signed-in user).
_current: ContextVar[Actor | Callable[[], Actor] | None] = ContextVar(
    "juri_audit_actor", default=None
)


def as_actor(who, *, address: str = "") -> Actor:
    """An ``Actor`` from a user (anonymous users have no name), a system actor's name, or an
    ``Actor``."""
    if isinstance(who, Actor):
        return who
    if isinstance(who, str):
        return Actor(None, who, address)
    if who is None or not getattr(who, "is_authenticated", False):
        return Actor(None, "", address)
    return Actor(who.id, who.username, address)


def current() -> Actor:
    """The actor changes are recorded for now."""
    value = _current.get()
    if value is None:
        return Actor(None, UNATTRIBUTED)
    return value() if callable(value) else value


def set_provider(provider: Callable[[], Actor]):
    """Record changes for ``provider()`` until ``reset(token)``; returns the token. Used by the
    web layer around each request."""
    return _current.set(provider)


def reset(token) -> None:
    _current.reset(token)


@contextmanager
def acting_as(who, *, address: str | None = None) -> Iterator[Actor]:
    """Record the changes flushed inside the block as made by ``who`` (a ``User``, a system
    actor's name such as ``SYSTEM_CLI``, or an ``Actor``). The client's address stays the one
    of the enclosing context unless given."""
    if address is None:
        address = current().address if _current.get() is not None else ""
    actor = replace(as_actor(who), address=address or getattr(who, "address", ""))
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def records_actor(service):
    """Decorate a service taking a keyword-only ``actor``: what it flushes is recorded as done
    by that actor, wherever it is called from (a page, a command, a script)."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        actor = kwargs.get("actor")
        if actor is None:
            return service(*args, **kwargs)
        with acting_as(actor):
            return service(*args, **kwargs)

    return wrapper
