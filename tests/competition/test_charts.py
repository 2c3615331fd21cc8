"""The committee's SVG bars leave room for their texts (the dashboard cut them off)."""

import re

from flask_babel import force_locale

from competition.charts import Bar, progress_bars


def test_progress_bars_are_wide_enough_for_the_longest_text(app):
    detail = "proposal terkirim sudah diseleksi"  # the Indonesian screening bar's words
    with app.test_request_context(), force_locale("id"):
        svg = str(
            progress_bars(
                [Bar("Seleksi Administrasi", 45, 45, detail), Bar("Verifikasi", 0, 0, "lembar")]
            )
        )
    width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
    assert re.search(r'viewBox="0 0 ' + re.escape(f"{width:g}") + " ", svg)
    numbers = f"45 / 45 (100%) {detail}"
    assert numbers in svg
    x = float(re.search(r'<text x="([\d.]+)"[^>]*>' + re.escape(numbers), svg).group(1))
    assert width >= x + 7 * len(numbers)  # about 7px a character at 12px


def test_short_bars_keep_the_asked_width(app):
    with app.test_request_context(), force_locale("en"):
        svg = str(progress_bars([Bar("Desk", 1, 2)], width=560))
    assert 'width="560"' in svg
