"""Scale out (issue #11, item 3): the same load against one serving process, then two.

Why: a council that outgrows one process runs a second replica with `bot.py serve
--no-scheduler` against the same PostgreSQL, behind a load balancer; this measures what that
buys. Each serving process is the real `python bot.py serve` (uvicorn, the app, the shared
transport), started as its own OS process against the run's PostgreSQL database; the first also
runs the digest scheduler, as in production, the second does not. The fake Slack is the run's
HTTPS one (its own process, bench/serving.py). The askers (threads of this process) are split
evenly across the processes, as a round-robin balancer would; the same askers, load length and
commands are used for one process and for two, so the ratio of throughputs is the result.

On a machine with fewer free cores than processes (the two servers, the fake Slack, PostgreSQL
and the askers all want CPU), two processes cannot double anything: the report says so.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.serving import (
    BOT_TOKEN,
    CA_DIRECTORY_ENV,
    SIGNING_SECRET,
    FakeSlackProcess,
    SlackAsker,
)

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 90.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServingGroup:
    """Several serving processes; each new asker goes to the next one (round robin)."""

    base_urls: list[str]
    fake: FakeSlackProcess

    def __post_init__(self) -> None:
        self._next = itertools.cycle(self.base_urls)
        self._ids = itertools.count(1)

    def asker(self, http: httpx.Client) -> SlackAsker:
        return SlackAsker(next(self._next), self.fake, http, self._ids)  # type: ignore[arg-type]


@contextmanager
def serving_processes(database_url: str, fake: FakeSlackProcess, count: int,
                      log_dir: Path) -> Iterator[list[str]]:
    """`count` real `bot.py serve` processes (the first with the scheduler); their base URLs."""
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    try:
        for index in range(count):
            port = free_port()
            env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": BOT_TOKEN,
                   "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.url,
                   "SLACK_APP_TOKEN": "", "HOST": "127.0.0.1", "PORT": str(port),
                   "PYTHONPATH": str(ROOT)}
            arguments = [sys.executable, "bot.py", "serve", "--port", str(port)]
            if index > 0:
                arguments.append("--no-scheduler")
            log = (log_dir / f"serve-{index}.log").open("wb")
            processes.append(subprocess.Popen(arguments, cwd=ROOT, env=env, stdout=log,
                                              stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        for process, url in zip(processes, urls):
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"a serving process stopped at start (see {log_dir})")
                try:
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"a serving process did not start (see {log_dir})")
                time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # uvicorn's graceful shutdown
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def warm(group: ServingGroup, calls_per_process: int = 8) -> None:
    """Identity caches, pools and imports warm in every process before the clock starts."""
    from bench.measure import COMMAND_PROBES, MANAGER

    with httpx.Client(timeout=60) as http:
        for _url in group.base_urls:
            asker = group.asker(http)
            for number in range(calls_per_process):
                probe = COMMAND_PROBES[number % len(COMMAND_PROBES)]
                asker.call(MANAGER, probe.command, probe.text)


def scale_phase(url: str, load_seconds: float, askers: int) -> dict[str, Any]:
    """The load run against one serving process, then against two; throughput ratio."""
    from bench.measure import load_run

    fake = FakeSlackProcess(os.environ.get(CA_DIRECTORY_ENV))
    results: dict[str, Any] = {"cpus": os.cpu_count(), "askers": askers}
    try:
        with tempfile.TemporaryDirectory(prefix="caseload-scale-") as scratch:
            for count in (1, 2):
                with serving_processes(url, fake, count, Path(scratch)) as urls:
                    group = ServingGroup(urls, fake)
                    warm(group)
                    results[f"processes_{count}"] = load_run(group, askers, load_seconds)
    finally:
        fake.stop()
    one = results["processes_1"]["throughput_per_s"]
    two = results["processes_2"]["throughput_per_s"]
    results["ratio"] = two / one if one else None
    results["load_average"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return results
