"""One signed POST to a webhook target, with keep-alive, a timeout and a capped response read."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests

from hookwire import __version__
from hookwire.config import WebhookSettings
from hookwire.hooks.targets import REFUSAL_MARKER, GuardedAdapter

KEPT_RESPONSE_BYTES = 4096
MAX_READ_BYTES = 65536  # read past what is kept so short bodies leave the connection reusable


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    latency_ms: float
    response_body: str | None
    error: str | None
    retry_after: str | None


class Sender:
    """Keeps one ``requests.Session`` per thread, so connections to a target are reused."""

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            adapter = GuardedAdapter(
                self.settings.allowed_networks, pool_connections=64, pool_maxsize=8, max_retries=0
            )
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.update(
                {
                    "Content-Type": "application/json",
                    "User-Agent": f"Hookwire-Webhooks/{__version__}",
                }
            )
            self._local.session = session
        return session

    def post(self, url: str, body: str, headers: dict[str, str]) -> SendResult:
        started = time.perf_counter()
        try:
            response = self._session().post(
                url,
                data=body.encode(),
                headers=headers,
                timeout=self.settings.timeout,
                allow_redirects=False,  # a redirect could lead anywhere; it counts as a failure
                stream=True,
            )
        except requests.Timeout:
            return SendResult(
                None, _elapsed(started), None, f"timed out after {self.settings.timeout:g} s", None
            )
        except requests.RequestException as error:
            return SendResult(None, _elapsed(started), None, _describe(error), None)
        with response:
            content = _capped_read(response)
        return SendResult(
            status_code=response.status_code,
            latency_ms=_elapsed(started),
            response_body=content[:KEPT_RESPONSE_BYTES].decode("utf-8", "replace") or None,
            error=None,
            retry_after=response.headers.get("Retry-After"),
        )


def _capped_read(response: requests.Response) -> bytes:
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=8192):
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_READ_BYTES:
                break
    except requests.RequestException:
        pass  # the status line arrived; a broken body does not change the verdict
    return b"".join(chunks)


def _elapsed(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _describe(error: requests.RequestException) -> str:
    text = str(error)
    if REFUSAL_MARKER in text:  # the guarded adapter refused the address
        return "refused: " + text[text.index(REFUSAL_MARKER) :].split('"')[0]
    return f"{type(error).__name__}: {text}"[:500]
