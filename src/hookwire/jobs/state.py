"""What a job needs in a worker process, which has no app: the database and configuration,
read from the environment once per process."""

from __future__ import annotations

from functools import cache

from sqlalchemy.engine import Engine

from hookwire.config import Config, load_config
from hookwire.database import create_db_engine


@cache
def worker_state() -> tuple[Engine, Config]:
    config = load_config()
    return create_db_engine(config.database_url), config
