"""Which slice of a long list a page shows (pure), and the page links (in a request)."""

import pytest

from competition.pagination import Page, make_page
from competition.web import page_url, requested_page


@pytest.mark.parametrize(
    ("total", "page", "per_page", "expected"),
    [
        (0, 1, 10, (1, 1, 0, 0, 0)),  # an empty list has one (empty) page
        (25, 1, 10, (1, 3, 0, 1, 10)),
        (25, 3, 10, (3, 3, 20, 21, 25)),
        (25, 9, 10, (3, 3, 20, 21, 25)),  # past the end: the last page
        (25, -2, 10, (1, 3, 0, 1, 10)),
        (25, 2, 0, (2, 25, 1, 2, 2)),  # a page holds at least one row
    ],
)
def test_make_page_clamps_and_slices(total, page, per_page, expected):
    at = make_page(total, page, per_page)
    assert (at.page, at.pages, at.offset, at.first, at.last) == expected


def test_page_links_keep_the_other_arguments(app):
    url = "/committee/rounds/7/dashboard?q=air&per_page=5&page=2"
    with app.test_request_context(url):
        assert requested_page(100) == (2, 5)
        link = page_url(Page(2, 5, 30), 3)
        assert link.startswith("/committee/rounds/7/dashboard?")
        assert sorted(link.split("?")[1].split("&")) == ["page=3", "per_page=5", "q=air"]
        assert page_url(Page(1, 5, 30, param="jpage"), 2).endswith("jpage=2")
    with app.test_request_context("/committee/rounds/7/dashboard?page=x&per_page=100000"):
        assert requested_page(100) == (1, 500)
