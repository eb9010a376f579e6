"""A whole HTTP/1.x request, framed by the production server's event loop, parsed by llhttp.

The event loop's :class:`~hookwire.server.framing.RequestFramer` says where a request ends;
this turns those bytes into a :class:`ParsedRequest` with httptools (Node's llhttp), which
refuses what HTTP/1.1 forbids (conflicting or malformed framing, bad tokens, obsolete line
folding) with a reason, and decodes chunked bodies.
"""

from __future__ import annotations

from dataclasses import dataclass

import httptools

SUPPORTED_VERSIONS = ("1.0", "1.1")


class BadRequest(Exception):
    """The bytes are not a request this server serves; the message says why."""


@dataclass(slots=True)
class ParsedRequest:
    method: str
    target: str  # as sent: origin form (``/path?query``), absolute form, ``*`` or authority
    version: str  # "1.0" or "1.1"
    headers: list[tuple[str, str]]  # as sent, decoded as ISO-8859-1
    body: bytes
    keep_alive: bool  # what the request's version and Connection header allow


class _Collector:
    """httptools' callbacks, for the one request a parser is fed."""

    def __init__(self) -> None:
        self.target = bytearray()
        self.headers: list[tuple[str, str]] = []
        self.body: list[bytes] = []
        self.keep_alive = False
        self.method = ""
        self.version = ""
        self.headers_complete = False
        self.complete = False
        self.parser: httptools.HttpRequestParser | None = None

    def on_url(self, url: bytes) -> None:
        if not self.complete:  # bytes after the request are the caller's to frame
            self.target += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.headers_complete:  # trailers of a chunked body are not headers
            self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        assert self.parser is not None
        if not self.headers_complete:  # the parser's values are its current message's
            self.method = self.parser.get_method().decode("ascii")
            self.version = self.parser.get_http_version()
            self.headers_complete = True

    def on_body(self, body: bytes) -> None:
        if not self.complete:
            self.body.append(body)

    def on_message_complete(self) -> None:
        assert self.parser is not None
        if not self.complete:
            self.keep_alive = self.parser.should_keep_alive()  # valid until the parser resets
            self.complete = True


def parse_request(data: bytes) -> ParsedRequest:
    """The one request ``data`` holds; :class:`BadRequest` if it is not one whole request."""
    collected = _Collector()
    parser = httptools.HttpRequestParser(collected)
    collected.parser = parser
    upgrade = False
    try:
        parser.feed_data(data)
    except httptools.HttpParserUpgrade:  # Upgrade or CONNECT: served as a plain request
        upgrade = True
    except httptools.HttpParserError as error:
        raise BadRequest(str(error) or "malformed request") from None
    if not collected.complete:
        raise BadRequest("incomplete request")
    if collected.version not in SUPPORTED_VERSIONS:
        raise BadRequest(
            f"HTTP version {collected.version}: this server speaks HTTP/1.0 and HTTP/1.1"
        )
    return ParsedRequest(
        method=collected.method,
        target=collected.target.decode("latin-1"),
        version=collected.version,
        headers=collected.headers,
        body=b"".join(collected.body),
        # the connection is not switched to another protocol: it closes after the answer
        keep_alive=collected.keep_alive and not upgrade,
    )
