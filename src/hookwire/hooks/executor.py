"""Running claimed deliveries: load them, POST each, record the outcomes in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from hookwire.config import Config
from hookwire.database import transaction
from hookwire.hooks.deliveries import (
    Batch,
    Claim,
    DeliveryJob,
    Outcome,
    extend_leases,
    load_jobs,
    record_outcomes,
    release_unsent,
)
from hookwire.hooks.retry import RetryPolicy, parse_retry_after
from hookwire.hooks.sender import Sender
from hookwire.hooks.signing import signed_headers
from hookwire.hooks.webhook_secrets import SecretBox


class DeliveryExecutor:
    """Used by the embedded dispatcher's lanes and by RQ worker processes alike.

    A batch is sent one request after another on kept-alive connections; batches run side by
    side in lanes (``hookwire.hooks.lanes``), so a target that does not answer holds one lane.
    """

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.settings = config.webhooks
        self.secrets = SecretBox(config.app_secret)
        self.policy = RetryPolicy(
            self.settings.retry_schedule,
            self.settings.disable_after,
            self.settings.failing_notice_after,
        )
        self.sender = Sender(self.settings)

    def run(self, batch: Batch) -> int:
        """Attempt every claim still held; return how many attempts were made.

        The batch is held for ``lease + timeout`` at a time, renewed while sending goes on, so
        a process that dies mid-batch holds its deliveries that long at most, however long
        the batch. Each renewal also records the outcomes so far. Once a target gives no
        answer (a timeout, a refused connection), the batch's other deliveries to it are given
        back unsent: waiting out its timeout once per batch is enough, and its webhook, now
        failing, gets one delivery at a time until it answers again.
        """
        tokens = {claim.delivery_id: claim.token for claim in batch.claims}
        hold = self.settings.lease + timedelta(seconds=self.settings.timeout)
        # Renewing before less than one timeout and half a lease is left means no send can
        # outlast the lease.
        renew_below = hold - self.settings.lease / 2
        lease_until = datetime.now(UTC) + hold
        with transaction(self.engine) as session:
            jobs = load_jobs(session, batch, self.secrets, lease_until)
        held = {job.delivery_id for job in jobs}
        outcomes: list[Outcome] = []
        unsent: list[DeliveryJob] = []
        silent: set[str] = set()  # webhooks whose target gave no answer in this batch
        for index, job in enumerate(jobs):
            now = datetime.now(UTC)
            if lease_until - now < renew_below:
                lease_until = now + hold
                waiting = [Claim(j.delivery_id, tokens[j.delivery_id]) for j in jobs[index:]]
                held = self._settle(outcomes, unsent, waiting, lease_until)
                outcomes, unsent = [], []
            if job.delivery_id not in held:  # another claim took it over: its holder sends it
                continue
            if job.webhook_id in silent:
                unsent.append(job)
                continue
            outcome = self.attempt(job)
            outcomes.append(outcome)
            if outcome.status_code is None:
                silent.add(job.webhook_id)
        self._settle(outcomes, unsent, [], lease_until)
        return len(jobs) - len(unsent)

    def _settle(
        self,
        outcomes: list[Outcome],
        unsent: list[DeliveryJob],
        waiting: list[Claim],
        lease_until: datetime,
    ) -> set[str]:
        """Record ``outcomes``, give ``unsent`` back and hold the ``waiting`` claims until
        ``lease_until``, at once; the ids of the waiting claims still held."""
        with transaction(self.engine) as session:
            record_outcomes(session, outcomes, self.policy, datetime.now(UTC))
            release_unsent(session, unsent)
            return set(extend_leases(session, waiting, lease_until))

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
