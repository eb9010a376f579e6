"""The production worker's HTTP layer as units: llhttp's parse of a framed request, the WSGI
environ built from it, and the response written to a real socket (a socketpair)."""

from __future__ import annotations

import select
import socket
import tempfile
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from hookwire.server.framing import RequestFramer, Verdict
from hookwire.server.gateway import HOLD_LIMIT, FileWrapper, Response, environ_for
from hookwire.server.parsing import BadRequest, ParsedRequest, parse_request

CLIENT = ("203.0.113.7", 50123)
SERVER = ("127.0.0.1", 3000)


# --- parsing ------------------------------------------------------------------------------


def test_a_request_is_parsed_with_its_headers_as_sent() -> None:
    request = parse_request(
        b"POST /rest/people?limit=2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )
    assert request.method == "POST" and request.target == "/rest/people?limit=2"
    assert request.version == "1.1" and request.keep_alive
    assert request.headers == [
        ("Host", "x"),
        ("Content-Type", "application/json"),
        ("Content-Length", "2"),
    ]
    assert request.body == b"{}"


def test_keep_alive_follows_the_version_and_the_connection_header() -> None:
    def keeps(head: bytes) -> bool:
        return parse_request(head + b"\r\n\r\n").keep_alive

    assert keeps(b"GET / HTTP/1.1")
    assert not keeps(b"GET / HTTP/1.1\r\nConnection: close")
    assert not keeps(b"GET / HTTP/1.0")
    assert keeps(b"GET / HTTP/1.0\r\nConnection: keep-alive")
    # an upgrade is not made: the connection closes after the plain answer
    assert not keeps(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade")


def test_a_chunked_body_is_decoded_and_its_trailers_are_not_headers() -> None:
    request = parse_request(
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2;ext=1\r\nab\r\n3\r\ncde\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    assert request.body == b"abcde"
    assert request.headers == [("Transfer-Encoding", "chunked")]


def test_only_the_first_of_pipelined_requests_is_taken() -> None:
    request = parse_request(
        b"POST /one HTTP/1.1\r\nContent-Length: 1\r\n\r\nxGET /two HTTP/1.0\r\nX-Next: 1\r\n\r\n"
    )
    assert (request.method, request.target, request.version) == ("POST", "/one", "1.1")
    assert request.body == b"x" and request.headers == [("Content-Length", "1")]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", "Content-Length"),
        (b"POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\nx", "Content-Length"),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nx", "Transfer-Encoding"),
        (
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            "Transfer-Encoding",
        ),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size"),
        (b"GET / HTTP/1.1\r\nBad Header: 1\r\n\r\n", "header"),
        (b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", "whitespace"),
        (b"GET /\x00 HTTP/1.1\r\n\r\n", "url"),
        (b"GET / HTTP/2.0\r\n\r\n", "HTTP version 2.0"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n", "incomplete"),
    ],
)
def test_what_http_forbids_is_refused_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(BadRequest, match=f"(?i){reason}"):
        parse_request(data)


def test_the_framer_says_where_each_request_ends() -> None:
    first = b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"
    chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nT: 1\r\n\r\n"
    for request in (first, chunked, b"GET / HTTP/1.1\r\n\r\n"):
        framer = RequestFramer(1024, 100, request + b"GET /next")
        assert framer.verdict is Verdict.COMPLETE and framer.end == len(request)


# --- the environ --------------------------------------------------------------------------


def environ_of(head: bytes, body: bytes = b"") -> dict[str, Any]:
    return environ_for(parse_request(head + b"\r\n\r\n" + body), CLIENT, SERVER, True)


def test_the_environ_has_what_pep_3333_requires() -> None:
    environ = environ_of(
        b"POST /rest/caf%C3%A9%2Fx?q=1&r=%20 HTTP/1.1\r\nHost: api.example\r\n"
        b"Content-Type: text/plain\r\nContent-Length: 3",
        b"abc",
    )
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["SCRIPT_NAME"] == ""
    # PEP 3333: the decoded path's bytes, as ISO-8859-1; %2F is indistinguishable from /
    assert environ["PATH_INFO"] == "/rest/café/x".encode().decode("latin-1")
    assert environ["QUERY_STRING"] == "q=1&r=%20"
    assert environ["RAW_URI"] == "/rest/caf%C3%A9%2Fx?q=1&r=%20"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("127.0.0.1", "3000")
    assert (environ["REMOTE_ADDR"], environ["REMOTE_PORT"]) == ("203.0.113.7", "50123")
    assert environ["HTTP_HOST"] == "api.example"
    assert environ["CONTENT_TYPE"] == "text/plain" and environ["CONTENT_LENGTH"] == "3"
    assert environ["wsgi.input"].read() == b"abc"
    assert environ["wsgi.url_scheme"] == "http" and environ["wsgi.version"] == (1, 0)
    assert environ["wsgi.multithread"] and environ["wsgi.multiprocess"]
    assert not environ["wsgi.run_once"]


def test_repeated_headers_are_joined_and_underscored_ones_dropped() -> None:
    environ = environ_of(
        b"GET / HTTP/1.1\r\nAccept: a\r\nAccept: b\r\nX-Forwarded-For: 10.0.0.1\r\n"
        b"X_Forwarded_For: 6.6.6.6"
    )
    assert environ["HTTP_ACCEPT"] == "a,b"
    assert environ["HTTP_X_FORWARDED_FOR"] == "10.0.0.1"


def test_an_absolute_form_target_gives_its_path_and_query() -> None:
    environ = environ_of(b"GET http://api.example/rest/people?limit=1 HTTP/1.1\r\nHost: x")
    assert environ["PATH_INFO"] == "/rest/people" and environ["QUERY_STRING"] == "limit=1"


# --- responses ----------------------------------------------------------------------------


def socket_pair() -> tuple[socket.socket, socket.socket]:
    """The server's end non-blocking, as the worker's event loop keeps it."""
    server, client = socket.socketpair()
    server.setblocking(False)
    client.settimeout(5)
    return server, client


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server, client = socket_pair()
    yield server, client
    server.close()
    client.close()


def answer(
    server: socket.socket,
    client: socket.socket,
    request: ParsedRequest,
    status: str,
    headers: list[tuple[str, str]],
    body: Iterable[bytes],
) -> tuple[Response, bytes]:
    response = Response(server, request, keep_alive=True, timeout=5)
    response.start_response(status, headers)
    response.send(body)
    server.shutdown(socket.SHUT_WR)
    return response, read_until_closed(client)


def read_until_closed(sock: socket.socket) -> bytes:
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def split(received: bytes) -> tuple[list[str], bytes]:
    head, _, body = received.partition(b"\r\n\r\n")
    return head.decode("latin-1").split("\r\n"), body


GET = parse_request(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")


def test_a_sized_answer_keeps_the_connection(pair: tuple[socket.socket, socket.socket]) -> None:
    response, received = answer(
        *pair, GET, "200 OK", [("Content-Length", "5"), ("X-A", "1")], [b"he", b"llo"]
    )
    lines, body = split(received)
    assert lines[0] == "HTTP/1.1 200 OK" and "X-A: 1" in lines and "Content-Length: 5" in lines
    assert any(line.startswith("Date: ") for line in lines)
    assert not any(line.startswith("Connection") for line in lines)
    assert body == b"hello" and response.keep_alive and response.sent == 5


class Teardown:
    """An app's iterable whose ``close`` (Flask's teardown) notes whether the client had
    received anything by then."""

    def __init__(self, client: socket.socket, pieces: list[bytes]) -> None:
        self.client = client
        self.pieces = pieces
        self.client_had_bytes: bool | None = None

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.pieces)

    def close(self) -> None:
        self.client_had_bytes = bool(select.select([self.client], [], [], 0)[0])


def test_a_small_answer_leaves_after_the_teardown_in_one_piece(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    body = Teardown(pair[1], [b"ab", b"cd"])
    _response, received = answer(*pair, GET, "200 OK", [("Content-Length", "4")], body)
    assert body.client_had_bytes is False and split(received)[1] == b"abcd"


def test_a_large_answer_streams_before_the_teardown(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    piece = b"x" * (HOLD_LIMIT // 2)
    body = Teardown(pair[1], [piece] * 3)
    _response, received = answer(*pair, GET, "200 OK", [], body)
    assert body.client_had_bytes is True
    assert split(received)[1].startswith(b"%x\r\n" % len(piece))


def test_an_unsized_answer_is_chunked_on_http_1_1(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    _response, received = answer(*pair, GET, "200 OK", [], iter([b"ab", b"", b"cde"]))
    lines, body = split(received)
    assert "Transfer-Encoding: chunked" in lines
    assert body == b"2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"


def test_an_unsized_answer_to_http_1_0_closes_the_connection() -> None:
    server, client = socket_pair()
    with server, client:
        old = parse_request(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        response, received = answer(server, client, old, "200 OK", [], [b"abc"])
    lines, body = split(received)
    assert "Connection: close" in lines and body == b"abc" and not response.keep_alive


def test_head_and_no_content_answers_carry_no_body(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    head = parse_request(b"HEAD / HTTP/1.1\r\n\r\n")
    _response, received = answer(*pair, head, "200 OK", [("Content-Length", "3")], [b"abc"])
    lines, body = split(received)
    assert "Content-Length: 3" in lines and body == b""


def test_no_content_has_neither_body_nor_chunking() -> None:
    server, client = socket_pair()
    with server, client:
        _response, received = answer(server, client, GET, "204 No Content", [], [b""])
    lines, body = split(received)
    assert lines[0] == "HTTP/1.1 204 No Content" and body == b""
    assert not any(line.startswith("Transfer-Encoding") for line in lines)


def test_an_empty_body_still_sends_the_head(pair: tuple[socket.socket, socket.socket]) -> None:
    _response, received = answer(*pair, GET, "200 OK", [("Content-Length", "0")], [])
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.endswith(b"\r\n\r\n")


def test_the_app_asking_to_close_is_honoured(pair: tuple[socket.socket, socket.socket]) -> None:
    response, received = answer(
        *pair, GET, "200 OK", [("Content-Length", "0"), ("Connection", "close")], []
    )
    assert "Connection: close" in split(received)[0] and not response.keep_alive


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        ("200 OK\r\nX-Evil: 1", []),
        ("200 OK", [("X-A", "1\r\nX-Evil: 1")]),
        ("200 OK", [("X-A:B", "1")]),
        ("200 OK", [("Transfer-Encoding", "chunked")]),
    ],
)
def test_a_header_that_would_split_the_response_is_refused(
    pair: tuple[socket.socket, socket.socket], status: str, headers: list[tuple[str, str]]
) -> None:
    with pytest.raises(ValueError):
        Response(pair[0], GET, keep_alive=True, timeout=5).start_response(status, headers)


class SentWhole(FileWrapper):
    def __iter__(self) -> Any:
        raise AssertionError("read in blocks: sendfile was not used")


def test_a_file_is_sent_whole_with_sendfile(pair: tuple[socket.socket, socket.socket]) -> None:
    content = bytes(range(256)) * 64  # within a socketpair's buffer: read after the send
    with tempfile.TemporaryFile() as file:
        file.write(b"skipped" + content)
        file.seek(len(b"skipped"))
        response, received = answer(
            *pair, GET, "200 OK", [("Content-Length", str(len(content)))], SentWhole(file)
        )
        assert file.closed
    assert split(received)[1] == content and response.sent == len(content)


def test_an_answer_larger_than_the_socket_takes_waits_for_the_client(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    server, client = pair
    content = b"x" * 4_000_000  # far more than a socketpair buffers
    received = bytearray()
    reader = threading.Thread(target=lambda: received.extend(read_until_closed(client)))
    reader.start()
    response = Response(server, GET, keep_alive=True, timeout=5)
    response.start_response("200 OK", [("Content-Length", str(len(content)))])
    response.send([content])
    server.shutdown(socket.SHUT_WR)
    reader.join()
    assert split(bytes(received))[1] == content


def test_a_client_that_stops_reading_times_out_the_answer(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    response = Response(pair[0], GET, keep_alive=True, timeout=0.2)
    response.start_response("200 OK", [("Content-Length", "4000000")])
    with pytest.raises(TimeoutError, match=r"took no data for 0\.2 s"):
        response.send([b"x" * 4_000_000])
