"""The browser tests' live server closes every response body before writing it."""

from __future__ import annotations

from tests.browser.conftest import buffered


def test_buffered_app_closes_the_body_before_the_server_sees_it():
    closed = []

    class Body:
        def __iter__(self):
            return iter([b"ab", b"cd"])

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [])
        return Body()

    body = buffered(app)({}, lambda status, headers: None)
    assert body == [b"abcd"]
    assert closed == [True]


def test_static_file_is_closed_even_when_the_server_never_closes_the_iterator(app):
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/static/favicon.svg").get_environ()
    body = buffered(app)(environ, lambda status, headers: None)
    assert isinstance(body, list) and b"<svg" in body[0]
