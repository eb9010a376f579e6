"""Links in emails that carry a single-use token: where they point, and the secret their
tokens are kept under."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from hookwire.config import Config


@dataclass(frozen=True)
class LinkSigner:
    """Where links in emails point (``server_url``) and the secret their tokens are kept by."""

    server_url: str
    secret: str

    @classmethod
    def of(cls, config: Config) -> LinkSigner:
        """This server's links: to ``SERVER_URL``, kept under ``APP_SECRET``."""
        return cls(config.emails.server_url, config.app_secret)

    def url(self, path: str, token: str) -> str:
        return f"{self.server_url}{path}?{urlencode({'token': token})}"
