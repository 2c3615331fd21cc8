"""Who reads a score sheet besides its judge and the committee: pure predicates (the role guards
are ``competition.permissions``)."""

from __future__ import annotations

from competition.accounts.models import User
from judging.panels.models import Panel
from judging.panels.permissions import can_chair
from judging.scoring.models import ScoreSheet


def can_read_panel_sheet(user: User, panel: Panel, sheet: ScoreSheet) -> bool:
    """A panel chair reads the submitted sheets of the entries their panel covers."""
    a = sheet.assignment
    return (
        can_chair(user, panel)
        and sheet.is_submitted
        and a.stage_id == panel.stage_id
        and panel.covers(a.entry)
    )
