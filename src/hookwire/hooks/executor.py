"""Running claimed deliveries: load them, POST each, record the outcomes in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from hookwire.config import Config
from hookwire.database import transaction
from hookwire.hooks.deliveries import Claim, DeliveryJob, Outcome, load_jobs, record_outcomes
from hookwire.hooks.retry import RetryPolicy, parse_retry_after
from hookwire.hooks.sender import Sender
from hookwire.hooks.signing import signed_headers
from hookwire.hooks.webhook_secrets import SecretBox


class DeliveryExecutor:
    """Used by the embedded dispatcher's threads and by RQ worker processes alike.

    A batch is sent one request after another: in one process, threads sending in parallel
    measured slower (they contend for the GIL) than one thread on kept-alive connections.
    """

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.settings = config.webhooks
        self.secrets = SecretBox(config.app_secret)
        self.policy = RetryPolicy(self.settings.retry_schedule, self.settings.disable_after)
        self.sender = Sender(self.settings)

    def run(self, claims: list[Claim]) -> int:
        """Attempt every claim still held; return how many attempts were made."""
        now = datetime.now(UTC)
        # The lease covers the whole batch, sent one after another, each within the timeout.
        lease_until = (
            now + self.settings.lease + len(claims) * timedelta(seconds=self.settings.timeout)
        )
        with transaction(self.engine) as session:
            jobs = load_jobs(session, claims, self.secrets, lease_until)
        outcomes = [self.attempt(job) for job in jobs]
        with transaction(self.engine) as session:
            record_outcomes(session, outcomes, self.policy, datetime.now(UTC))
        return len(outcomes)

    def attempt(self, job: DeliveryJob) -> Outcome:
        attempted_at = datetime.now(UTC)
        headers = signed_headers(job.secret, job.event_id, job.body, attempted_at)
        result = self.sender.post(job.target_url, job.body, headers)
        return Outcome(
            job=job,
            attempted_at=attempted_at,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            response_body=result.response_body,
            error=result.error,
            retry_after=parse_retry_after(result.retry_after, attempted_at),
        )
