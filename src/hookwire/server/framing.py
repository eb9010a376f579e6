"""Where an HTTP/1.x request ends, told from the bytes received so far.

The production server's event loop reads each request whole before a thread sees it (as
waitress does for the embedded server), so a client that sends half a request holds a socket,
never a thread. This is the framing only: the request itself is parsed later (``parsing.py``).
A head this cannot frame (a malformed ``Content-Length``, ``Transfer-Encoding`` other than
chunked) is handed on as it is, for the parser (``parsing.py``) to refuse.
"""

from __future__ import annotations

import enum

CRLF = b"\r\n"
HEAD_END = b"\r\n\r\n"
MAX_CHUNK_LINE = 1024  # a chunk-size line with its extensions
MAX_TRAILERS = 8192


class Verdict(enum.Enum):
    MORE = "more"  # the request is not whole yet
    COMPLETE = "complete"  # a whole request is buffered (maybe followed by more bytes)
    HAND_ON = "hand on"  # the head is whole but not framed here: the parser decides
    HEAD_TOO_LARGE = "head too large"
    BODY_TOO_LARGE = "body too large"


class RequestFramer:
    """Feed it what a connection receives; it says when a whole request is there.

    Each ``feed`` looks only at the new bytes (the head's end, the next chunk header), so a
    body received in many pieces costs linear time.
    """

    def __init__(self, max_head: int, max_body: int, initial: bytes = b"") -> None:
        self.max_head = max_head
        self.max_body = max_body
        self.buffer = bytearray()
        self.declared_length: int | None = None  # Content-Length, once the head is read
        self.expects_continue = False  # the client waits for "100 Continue" to send the body
        self.end: int | None = None  # where a COMPLETE request ends in ``buffer``
        self._head_end: int | None = None
        self._body_end: int | None = None  # Content-Length framing
        self._chunk_at: int | None = None  # chunked framing: the next chunk-size line
        self._chunked_size = 0
        self._searched = 0  # the head's end is not before this offset
        self.verdict = Verdict.MORE
        if initial:
            self.feed(initial)

    @property
    def head_complete(self) -> bool:
        return self._head_end is not None

    def feed(self, data: bytes) -> Verdict:
        self.buffer += data
        if self.verdict is Verdict.MORE:
            self.verdict = self._advance()
        return self.verdict

    def _advance(self) -> Verdict:
        if self._head_end is None:
            end = self.buffer.find(HEAD_END, max(self._searched - 3, 0))
            if end < 0:
                self._searched = len(self.buffer)
                return Verdict.HEAD_TOO_LARGE if len(self.buffer) > self.max_head else Verdict.MORE
            self._head_end = end + len(HEAD_END)
            if self._head_end > self.max_head:
                return Verdict.HEAD_TOO_LARGE
            framing = self._frame_head(bytes(self.buffer[: self._head_end]))
            if framing is not None:
                return framing
        if self._body_end is None:
            return self._advance_chunks()
        if len(self.buffer) < self._body_end:
            return Verdict.MORE
        self.end = self._body_end
        return Verdict.COMPLETE

    def _frame_head(self, head: bytes) -> Verdict | None:
        """Set how the body is framed; a verdict when the head alone decides."""
        lengths: list[bytes] = []
        codings: list[bytes] = []
        request_line, *fields = head.split(CRLF)
        for line in fields:
            name, colon, value = line.partition(b":")
            if not colon:
                continue
            name = name.strip().lower()
            if name == b"content-length":
                lengths.append(value.strip())
            elif name == b"transfer-encoding":
                codings += [part.strip().lower() for part in value.split(b",")]
            elif name == b"expect" and value.strip().lower() == b"100-continue":
                self.expects_continue = request_line.rstrip().endswith(b"HTTP/1.1")
        assert self._head_end is not None
        if codings:
            if lengths or codings[-1] != b"chunked":
                return Verdict.HAND_ON  # both framings, or an unknown one: the parser refuses
            self._chunk_at = self._head_end
            return None
        if not lengths:
            self._body_end = self._head_end  # no body
            return None
        if len(lengths) > 1 or not (lengths[0].isascii() and lengths[0].isdigit()):
            return Verdict.HAND_ON
        self.declared_length = int(lengths[0])
        if self.declared_length > self.max_body:
            return Verdict.BODY_TOO_LARGE
        self._body_end = self._head_end + self.declared_length
        return None

    def _advance_chunks(self) -> Verdict:
        buffer = self.buffer
        while True:
            at = self._chunk_at
            assert at is not None
            line_end = buffer.find(CRLF, at, at + MAX_CHUNK_LINE + 2)
            if line_end < 0:
                return Verdict.HAND_ON if len(buffer) - at > MAX_CHUNK_LINE else Verdict.MORE
            size_text = bytes(buffer[at:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                return Verdict.HAND_ON
            if size < 0:
                return Verdict.HAND_ON
            data_start = line_end + len(CRLF)
            if size == 0:
                return self._trailers(data_start)
            if self._chunked_size + size > self.max_body:
                return Verdict.BODY_TOO_LARGE
            if len(buffer) < data_start + size + len(CRLF):
                return Verdict.MORE
            self._chunked_size += size
            self._chunk_at = data_start + size + len(CRLF)

    def _trailers(self, start: int) -> Verdict:
        if self.buffer[start : start + 2] == CRLF:
            self.end = start + len(CRLF)
            return Verdict.COMPLETE
        found = self.buffer.find(HEAD_END, start, start + MAX_TRAILERS)
        if found >= 0:
            self.end = found + len(HEAD_END)
            return Verdict.COMPLETE
        return Verdict.HAND_ON if len(self.buffer) - start > MAX_TRAILERS else Verdict.MORE
