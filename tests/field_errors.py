"""The error messages a page shows under each form field, for tests that check a refusal is
explained next to the input at fault (not merely somewhere on the page)."""

from html.parser import HTMLParser


class _FieldErrors(HTMLParser):
    """The error messages of each form field of a page (the ``field`` macro: a
    ``div.field`` holding the input and its ``div.error`` lines), by the input's name."""

    def __init__(self):
        super().__init__()
        self.errors: dict[str, list[str]] = {}
        self._depth = 0  # of divs inside the current div.field
        self._names: list[str] = []
        self._field_errors: list[str] = []
        self._in_error = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if self._depth:
            if tag == "div":
                self._depth += 1
                self._in_error = "error" in classes
                if self._in_error:
                    self._field_errors.append("")
            if tag in ("input", "select", "textarea") and attrs.get("name"):
                self._names.append(attrs["name"])
        elif tag == "div" and "field" in classes:
            self._depth, self._names, self._field_errors = 1, [], []

    def handle_endtag(self, tag):
        if tag != "div" or not self._depth:
            return
        self._depth -= 1
        self._in_error = False
        if not self._depth:
            for name in self._names:
                self.errors[name] = self._field_errors

    def handle_data(self, data):
        if self._in_error:
            self._field_errors[-1] += data


def field_errors(html: str) -> dict[str, list[str]]:
    """Each field's error messages by its input's name (prefix included: ``stage-scale_max``);
    an empty list for a field without errors."""
    parser = _FieldErrors()
    parser.feed(html)
    return parser.errors
