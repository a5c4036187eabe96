"""What one (size, store) run measures. Each phase runs in a process of its own (bench.worker), so
the serving process's peak memory is the serving's, not the import's.

- `load_phase`: an empty migrated store, the size's files through `import_file`, timed per file.
- `measure_phase`: the real app served on loopback; every command and the floors, interleaved
  round by round so drift hits them all alike; SQL statements per command from a
  `before_cursor_execute` hook on the engine; the bounded load run; the serving process's peak
  RSS; then the staffing digest, for the whole dataset and for one service.
"""

from __future__ import annotations

import ssl
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.generate import BENCH_TODAY, SIZES, load_size, write_size
from bench.serving import (
    ECHO_COMMAND,
    ECHO_PER_REPLY_COMMAND,
    FLOOR_COMMAND,
    NOOP_COMMAND,
    PER_REPLY_DONE,
    SlackAsker,
    served_app,
)
from bench.stores import analyze, create_store, server_version
from config import Settings
from models.store import make_engine

#: The demo's team manager and social worker (Slack ids the generator gives the first council).
MANAGER = "U0DEMO002"
WORKER = "U0DEMO004"


@dataclass(frozen=True)
class Probe:
    label: str
    command: str
    text: str
    answered: bool  # answer through the response_url (else the HTTP response is the answer)
    is_command: bool  # one of the bot's commands (statements counted, targets apply)
    secure: bool = True  # the response_url is HTTPS (the run's CA), as Slack's are


PROBES: tuple[Probe, ...] = (
    Probe("floor (no listener)", FLOOR_COMMAND, "", False, False),
    Probe("do-nothing (ack only)", NOOP_COMMAND, "", False, False),
    Probe("do-nothing answer (ack + lazy reply)", ECHO_COMMAND, "", True, False),
    Probe("do-nothing answer, per-reply client (before)", ECHO_PER_REPLY_COMMAND, "", True,
          False),
    Probe("do-nothing answer, plain HTTP", ECHO_COMMAND, "", True, False, secure=False),
    Probe("do-nothing answer, per-reply client, plain HTTP (before)", ECHO_PER_REPLY_COMMAND,
          "", True, False, secure=False),
    Probe("/caseload", "/caseload", "", True, True),
    Probe("/caseload @worker", "/caseload", f"<@{WORKER}>", True, True),
    Probe("/protected team", "/protected", "team", True, True),
    Probe("/actions overdue", "/actions", "overdue", True, True),
)
COMMAND_PROBES = tuple(probe for probe in PROBES if probe.is_command)
FLOOR = PROBES[0].label


class StatementCounter:
    """Counts every statement the engine sends (a SQLAlchemy `before_cursor_execute` hook)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.recording: list[str] | None = None
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        with self._lock:
            self.count += 1
            if self.recording is not None:
                self.recording.append(" ".join(statement.split())[:160])

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        counted: list[int] = []
        before = self.count
        yield counted
        counted.append(self.count - before)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0.95 → p95)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def peak_rss_mb() -> float:
    """VmHWM, the process's peak resident set, from /proc (getrusage where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_phase(size_name: str, store: str, data_dir: Path) -> dict[str, Any]:
    size = SIZES[size_name]
    if not (data_dir / "cases.csv").exists():
        write_size(data_dir, size)
    url = create_store(store, size_name)
    engine = make_engine(url)
    timings = load_size(engine, data_dir)
    engine.dispose()
    analyze(url)
    return {
        "url": url,
        "server": server_version(store, url),
        "imports": [{"file": t.file, "kind": t.kind, "rows": t.rows, "seconds": t.seconds,
                     "rows_per_second": t.rows_per_second} for t in timings],
        "peak_rss_mb": peak_rss_mb(),
    }


def _round(asker: SlackAsker, counter: StatementCounter, samples: dict[str, list[float]],
           statements: dict[str, list[int]], errors: dict[str, int]) -> None:
    for probe in PROBES:
        user = MANAGER
        PER_REPLY_DONE.clear()
        with counter.counting() as counted:
            timed, _answer = asker.call(user, probe.command, probe.text, answered=probe.answered,
                                        secure=probe.secure)
        if probe.command == ECHO_PER_REPLY_COMMAND:  # untimed: its context freed, then on
            PER_REPLY_DONE.wait(5)
        if not timed.ok:
            errors[probe.label] = errors.get(probe.label, 0) + 1
            continue
        samples[probe.label].append(timed.seconds)
        statements[probe.label].append(counted[0])


def latency_run(asker: SlackAsker, counter: StatementCounter, calls: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {probe.label: [] for probe in PROBES}
    statements: dict[str, list[int]] = {probe.label: [] for probe in PROBES}
    errors: dict[str, int] = {}
    for _round_number in range(calls):
        _round(asker, counter, samples, statements, errors)
    floor_median = statistics.median(samples[FLOOR])
    floor_p95 = percentile(samples[FLOOR], 0.95)
    results = {}
    for probe in PROBES:
        seconds = samples[probe.label]
        counts = statements[probe.label]
        results[probe.label] = {
            "calls": len(seconds),
            "median_ms": statistics.median(seconds) * 1000,
            "p95_ms": percentile(seconds, 0.95) * 1000,
            "median_ratio": statistics.median(seconds) / floor_median,
            "p95_ratio": percentile(seconds, 0.95) / floor_p95,
            "statements": statistics.median(counts) if counts else None,
            "statements_min": min(counts) if counts else None,
            "statements_max": max(counts) if counts else None,
            "is_command": probe.is_command,
        }
    return {"probes": results, "errors": errors}


def first_answers(asker: SlackAsker, counter: StatementCounter
                  ) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Warm every path (identity cache, pools, imports); keep what each answer says, so the
    report shows the bench timed real answers, not refusals, and the statements each one sent."""
    said, sent = {}, {}
    for probe in COMMAND_PROBES:
        for _warm in range(3):
            timed, answer = asker.call(MANAGER, probe.command, probe.text)
        counter.recording = []
        timed, answer = asker.call(MANAGER, probe.command, probe.text)
        sent[probe.label], counter.recording = counter.recording, None
        said[probe.label] = (str((answer or {}).get("text", ""))[:120] if timed.ok
                             else f"error: {timed.error}")
    for probe in PROBES:
        if not probe.is_command:
            for _warm in range(3):
                asker.call(MANAGER, probe.command, probe.text, answered=probe.answered,
                           secure=probe.secure)
    return said, sent


def transport_costs(asker: SlackAsker, replies: int = 30) -> dict[str, Any]:
    """What a reply pays for TLS: building a context as urllib does per connection (median CPU
    time), and the handshakes the fake served per reply, with the per-reply client (before)
    and the shared transport (after)."""
    builds = []
    for _build in range(20):
        started = time.process_time()
        ssl.create_default_context()
        builds.append(time.process_time() - started)
    per_reply: dict[str, float] = {}
    for label, command in (("shared transport", ECHO_COMMAND),
                           ("per-reply client", ECHO_PER_REPLY_COMMAND)):
        before = asker.fake.counts()
        for _reply in range(replies):
            asker.call(MANAGER, command, "")
        after = asker.fake.counts()
        # less one: the second counts() request's own handshake
        per_reply[label] = (after["handshakes"] - before["handshakes"] - 1) / replies
    return {"tls_context_cpu_ms": statistics.median(builds) * 1000,
            "handshakes_per_reply": per_reply, "replies": replies}


def load_run(served: Any, askers: int, seconds: float, max_calls_per_asker: int = 100_000
             ) -> dict[str, Any]:
    """`askers` threads, each asking the four commands in turn until the deadline (and never more
    than `max_calls_per_asker` times): throughput, p50/p99 and every error."""
    deadline = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(askers)]
    failures: list[list[str]] = [[] for _ in range(askers)]

    def one_asker(index: int) -> None:
        with httpx.Client(timeout=60) as http:
            asker = served.asker(http)
            for call_number in range(max_calls_per_asker):
                if time.monotonic() >= deadline:
                    return
                probe = COMMAND_PROBES[(index + call_number) % len(COMMAND_PROBES)]
                timed, _answer = asker.call(MANAGER, probe.command, probe.text)
                if timed.ok:
                    latencies[index].append(timed.seconds)
                else:
                    failures[index].append(timed.error or f"HTTP {timed.status}")

    started = time.monotonic()
    threads = [threading.Thread(target=one_asker, args=(index,), name=f"bench-asker-{index}")
               for index in range(askers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    every = [value for values in latencies for value in values]
    errors = [error for errors in failures for error in errors]
    return {
        "askers": askers, "seconds": elapsed, "answered": len(every), "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "throughput_per_s": len(every) / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(every) * 1000 if every else None,
        "p99_ms": percentile(every, 0.99) * 1000 if every else None,
        "stuck_threads": sum(1 for thread in threads if thread.is_alive()),
    }


def _timed(action: Callable[[], Any], repeat: int) -> float:
    seconds = []
    for _time in range(repeat):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def digest_timings(engine: Engine, counter: StatementCounter, repeat: int) -> dict[str, Any]:
    """The staffing digest for one service (the first council's first service), and every
    service's staffing digest at once, as the weekly run builds them (one pass over the whole
    dataset: every service's and team's figures, and every NQSW)."""
    from jobs.digests import build_staffing_digest, build_staffing_digests
    from models import Service

    settings = Settings()  # type: ignore[call-arg]
    with Session(engine) as session:
        services = list(session.exec(select(Service).order_by(Service.id)).all())
        service = services[0]

        def one_service() -> Any:
            return build_staffing_digest(session, service, BENCH_TODAY, settings)

        def whole_dataset() -> Any:
            return build_staffing_digests(session, services, BENCH_TODAY, settings)

        with counter.counting() as one_statements:
            one_service()
        with counter.counting() as whole_statements:
            whole_dataset()
        one_seconds = _timed(one_service, repeat)
        whole_seconds = _timed(whole_dataset, repeat)
    return {
        "services": len(services),
        "one_service_name": getattr(service, "name", ""),
        "one_service_s": one_seconds,
        "whole_s": whole_seconds,
        "ratio": whole_seconds / one_seconds if one_seconds else None,
        "one_service_statements": one_statements[0],
        "whole_statements": whole_statements[0],
    }


def measure_phase(url: str, calls: int, load_seconds: float, askers: int,
                  digest_repeat: int) -> dict[str, Any]:
    engine = make_engine(url)
    counter = StatementCounter(engine)
    with served_app(engine, lambda: BENCH_TODAY) as served, httpx.Client(timeout=60) as http:
        asker = served.asker(http)
        said, sent = first_answers(asker, counter)
        transport = transport_costs(asker)
        latency = latency_run(asker, counter, calls)
        load = load_run(served, askers, load_seconds) if load_seconds > 0 else None
        serving_peak = peak_rss_mb()
    digest = digest_timings(engine, counter, digest_repeat)
    engine.dispose()
    return {"first_answers": said, "statements_sent": sent, "latency": latency, "load": load,
            "transport": transport,
            "serving_peak_rss_mb": serving_peak, "digest": digest}
