"""Background jobs: what runs on a timer and the scheduler that runs it (rq.cron with Redis,
a thread of the server process without), and the connected accounts' syncs and cleanups on
the ``messaging`` and ``calendar`` queues."""

from hookwire.jobs.channels import CHANNEL_QUEUES, ChannelJobs
from hookwire.jobs.scheduled import SCHEDULED_JOBS, ScheduledJob, run_scheduled_job
from hookwire.jobs.scheduler import Scheduler

__all__ = [
    "CHANNEL_QUEUES",
    "SCHEDULED_JOBS",
    "ChannelJobs",
    "ScheduledJob",
    "Scheduler",
    "run_scheduled_job",
]
