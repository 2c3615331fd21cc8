"""``shot`` writes a full-page screenshot only when JURI_SCREENSHOTS asks for them."""

import pytest

from tests.browser import conftest


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><title>x</title><p>Halo</p>")
    yield page
    context.close()


def test_screenshots_only_when_asked_for(page, tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "ARTIFACTS", tmp_path / "artifacts")
    monkeypatch.delenv("JURI_SCREENSHOTS", raising=False)
    conftest.shot(page, "halo")
    assert not (tmp_path / "artifacts").exists()
    monkeypatch.setenv("JURI_SCREENSHOTS", "1")
    conftest.shot(page, "halo")
    assert (tmp_path / "artifacts" / "halo.png").read_bytes().startswith(b"\x89PNG")
