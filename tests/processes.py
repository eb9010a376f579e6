"""Throwaway processes for fault tests: a private ``redis-server`` and ``hookwire worker``s.

Fault tests stop and kill these, never the machine's shared services.
"""

from __future__ import annotations

import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import redis

from conftest import free_port


def stop_process(process: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM, up to ``grace`` seconds to finish what it holds, then SIGKILL."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class RedisServer:
    """A ``redis-server`` on a free loopback port that keeps nothing on disk."""

    def __init__(self, log_path: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not on PATH")
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        options += ["--appendonly", "no", "--logfile", str(self.log_path)]
        self.process = subprocess.Popen(
            [self.binary, *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start: {self.log_path}") from None
                time.sleep(0.05)
            finally:
                client.close()

    def stop(self) -> None:
        """Kill it: everything it held is gone, as when a Redis host dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Worker:
    """A ``hookwire worker`` process with the given environment."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self._log = open(log_path, "a")  # noqa: SIM115 - closed in stop()
        self.log_path = log_path
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hookwire.cli", "worker"],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """``kill -9``: no chance to finish or hand back what it holds."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()


class MotoServer:
    """``moto_server``: a real S3 API (moto's) on a free loopback port, kept in memory."""

    REGION = "us-east-1"
    CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.s3().list_buckets()
                return
            except Exception:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"moto_server did not start: {log_path.read_text()}"
                    ) from None
                time.sleep(0.1)

    def s3(self) -> Any:
        """A boto3 S3 client of this server."""
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.url,
            region_name=self.REGION,
            aws_access_key_id=self.CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()


class LineReader:
    """Lines of a subprocess stream, collected by a thread so reads can time out."""

    def __init__(self, stream: Any) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: Any) -> None:
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def next(self, timeout: float = 15.0) -> str:
        return self.lines.get(timeout=timeout)

    def until_quiet(self, quiet: float) -> list[str]:
        """Every line that arrives until ``quiet`` seconds pass without one."""
        lines = []
        while True:
            try:
                lines.append(self.next(quiet))
            except queue.Empty:
                return lines

    def until(self, marker: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.next(max(0.1, deadline - time.monotonic()))
            if marker in line:
                return line
