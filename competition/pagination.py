"""Server-side pagination of long lists (a national round has thousands of entries): which
slice of a list a page shows.

A page of a listing is ``Page``: the 1-based page number (clamped to the pages there are), the
page size and the total. Pages use ``?page=`` (or another parameter when one page holds two
paged tables) and ``?per_page=`` (clamped to ``1..MAX_PER_PAGE``); reading them and linking to
the other pages (every other query argument kept, so a search or a filter stays on) is the web
layer's: ``competition.web.requested_page`` and ``page_url``."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Page:
    """Page ``page`` of ``pages`` (1-based) of a list of ``total`` rows, ``per_page`` a page."""

    page: int
    per_page: int
    total: int
    param: str = "page"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 when the list is empty)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.per_page, self.total)


def make_page(total: int, page: int, per_page: int, param: str = "page") -> Page:
    """The page ``page`` of ``total`` rows, clamped to the pages there are."""
    per_page = max(per_page, 1)
    last = max(1, -(-total // per_page))
    return Page(min(max(page, 1), last), per_page, total, param)
