"""Scheduled jobs: what runs on a timer, and the scheduler that runs it (rq.cron with Redis,
a thread of the server process without)."""

from hookwire.jobs.scheduled import SCHEDULED_JOBS, ScheduledJob, run_scheduled_job
from hookwire.jobs.scheduler import Scheduler

__all__ = ["SCHEDULED_JOBS", "ScheduledJob", "Scheduler", "run_scheduled_job"]
