"""The role guards every protected blueprint installs (``require_role``, ``require_login``,
defined with the web layer in ``competition.web``), so no route can forget its check, and the
message shown when a page needs a login.

The predicates ``can_<verb>_<noun>(user, obj) -> bool`` live with their feature, in its
``permissions.py`` (``competition.entries.permissions``, ``judging.panels.permissions``,
``judging.scoring.permissions``, ``judging.analysis.permissions``, ``judging.results.permissions``): this module imports no feature, so every feature can use
the guards without an import cycle."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from competition.web import require_login, require_role  # noqa: F401 - the blueprints' guards

LOGIN_MESSAGE = _l("Please log in to open this page.")
