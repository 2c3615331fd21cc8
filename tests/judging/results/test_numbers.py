"""Certificate numbers: HMAC check part, forged and altered numbers rejected without a query."""

from judging.results import numbers


def test_new_numbers_are_well_formed_and_distinct(app):
    codes = numbers.new_numbers(200)
    assert len(set(codes)) == 200
    for code in codes:
        assert len(code) == 19 and code.count("-") == 3
        assert numbers.is_well_formed(code)


def test_numbers_forged_or_altered_are_rejected(app):
    code = numbers.new_number()
    raw = code.replace("-", "")
    # Every single-character alteration breaks the check part.
    for i in range(len(raw)):
        for c in "0Z":
            altered = raw[:i] + c + raw[i + 1 :]
            if altered != raw:
                assert not numbers.is_well_formed(altered), (i, c)
    assert not numbers.is_well_formed("0000-0000-0000-0000")
    assert not numbers.is_well_formed("not a number")
    assert not numbers.is_well_formed("")


def test_numbers_read_back_leniently(app):
    code = numbers.new_number()
    assert numbers.is_well_formed(code.lower().replace("-", " "))
    assert numbers.canonical(code.replace("0", "o").replace("1", "l")) == code


def test_numbers_depend_on_the_secret(app):
    code = numbers.new_number()
    app.config["SECRET_KEY"] = "another-secret"
    assert not numbers.is_well_formed(code)
    app.config["CERTIFICATE_KEY"] = "test-secret"  # JURI_CERTIFICATE_KEY keeps numbers valid
    assert numbers.is_well_formed(code)
