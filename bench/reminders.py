"""The daily reminder job at scale, against the recording Slack API with 429s injected.

    python -m bench.reminders [--size city] [--store sqlite] [--per-second 50] [--429-every 100]

Generates and imports the size's council (as `make bench` does: SQLite under bench/data/, or
PostgreSQL in a database of its own, dropped afterwards), gives
every member of staff a Slack id, then runs jobs.reminders.run_reminders — the scheduler's own
path: build, pace, claim, post, mark — against tests/fakes/slack_api.py, which answers every
N-th chat.postMessage with 429 and Retry-After: 1. It reports the build time, the run's time at
the bench's pace, each message once, the 429s answered, and how many were not retried (a
delivery left failed), and the time a run takes at REMIND_SENDS_PER_SECOND (what a council sees,
since the pace, not the build, sets the length of a real run), for this size and scaled to
national. The figures are appended to bench/results.md with --write.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from bench.generate import BENCH_TODAY, SIZES, load_size, write_size
from bench.stores import BENCH_DATA, create_store, drop_store
from config import Settings
from jobs.notes import PacedSender, SlackNotes
from jobs.reminders import run_reminders
from jobs.slack_poster import slack_client
from models.store import make_engine
from queries.reminders import build_reminders
from tests.fakes.slack_api import FakeSlackApi

RESULTS = Path(__file__).resolve().parent / "results.md"
#: Practitioners at national size against each single-council size (bench/generate.py's plans).
NATIONAL_PRACTITIONERS = 28_000


class InjectingPace(PacedSender):
    """The job's pacing, plus a 429 queued at the fake Slack before every N-th send."""

    def __init__(self, per_second: float, slack: FakeSlackApi, every: int) -> None:
        super().__init__(per_second)
        self.slack, self.every, self.sends, self.injected = slack, every, 0, 0

    def wait(self) -> None:
        super().wait()
        self.sends += 1
        if self.every and self.sends % self.every == 0:
            self.slack.fail_next("chat.postMessage", 429, times=1, retry_after=1)
            self.injected += 1


def run(size_name: str, per_second: float, every: int, store: str = "sqlite"
        ) -> dict[str, float | int | str]:
    size = SIZES[size_name]
    files = BENCH_DATA / "files" / size_name
    if not (files / "cases.csv").exists():
        write_size(files, size)
    url = create_store(store, f"reminders_{size_name}")
    engine = make_engine(url)
    load_size(engine, files)
    with engine.begin() as connection:  # everyone reachable in Slack
        connection.execute(text("UPDATE staff SET slack_user_id = 'UB' || id"))
    day: date = BENCH_TODAY
    settings = Settings(database_url=url, remind_sends_per_second=per_second)
    started = time.perf_counter()
    with Session(engine) as session:
        built = build_reminders(session, day, settings)
    build_s = time.perf_counter() - started
    with FakeSlackApi() as slack:
        settings = replace(settings, slack_api_url=slack.url, slack_bot_token="xoxb-bench")
        pace = InjectingPace(per_second, slack, every)
        poster = SlackNotes(settings, client=slack_client(settings))
        started = time.perf_counter()
        report = run_reminders(engine, settings, day, [poster], pace=pace)
        run_s = time.perf_counter() - started
        attempts = slack.calls_to("chat.postMessage", ok_only=False)
        posted = [call for call in attempts if call.ok]
        refused = sum(1 for call in attempts if call.status == 429)
        channels = [call.body["channel"] for call in posted]
    engine.dispose()
    if store != "sqlite":
        drop_store(store, f"reminders_{size_name}")
    messages = len(report.sent)
    at_rate = messages / Settings().remind_sends_per_second
    return {
        "size": size.described, "store": store, "people": len(built), "messages": messages,
        "nothing_due": report.nothing_due, "build_s": round(build_s, 2),
        "run_s": round(run_s, 1), "per_second": per_second, "injected_429": pace.injected,
        "answered_429": refused, "unretried_429": len(report.failed),
        "duplicates": len(channels) - len(set(channels)),
        "run_at_setting_min": round(at_rate / 60, 1),
        "national_at_setting_h": round(at_rate * NATIONAL_PRACTITIONERS
                                       / max(1, _practitioners(size_name)) / 3600, 1),
    }


def _practitioners(size_name: str) -> int:
    return {"tiny": 40, "county": 250, "city": 1_000, "national": NATIONAL_PRACTITIONERS}[
        size_name]


def markdown(figures: dict[str, float | int | str]) -> str:
    return "\n".join([
        "", "## Daily reminders (`python -m bench.reminders`)", "",
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {figures['store']}, "
        f"{figures['size']}; the "
        "recording Slack API answering every injected send with 429 (Retry-After: 1).", "",
        "| figure | value |", "|---|---|",
        f"| staff in post (reminders built) | {figures['people']:,} |",
        f"| reminders sent / nothing due | {figures['messages']:,} / "
        f"{figures['nothing_due']:,} |",
        f"| build every reminder (one session) | {figures['build_s']} s |",
        f"| whole run at {figures['per_second']} messages/s | {figures['run_s']} s |",
        f"| 429s injected / answered / not retried | {figures['injected_429']} / "
        f"{figures['answered_429']} / {figures['unretried_429']} |",
        f"| people messaged twice | {figures['duplicates']} |",
        f"| this size at REMIND_SENDS_PER_SECOND=1 (one workspace) | {figures['run_at_setting_min']} min |",
        f"| national (~28,000 practitioners) at 1/s, scaled | "
        f"{figures['national_at_setting_h']} h |", "",
        "At Slack's sustained ~1 message a second the send, not the build, sets a run's length: "
        "a national-size run is not one workspace (each council has its own), so each council's "
        "run is its own size's figure above.", "",
    ])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders")
    parser.add_argument("--size", choices=sorted(SIZES), default="city")
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql: database caseload_bench_reminders_<size>, dropped after")
    parser.add_argument("--per-second", type=float, default=50.0)
    parser.add_argument("--429-every", dest="every", type=int, default=100)
    parser.add_argument("--write", action="store_true", help="append to bench/results.md")
    args = parser.parse_args(argv)
    figures = run(args.size, args.per_second, args.every, args.store)
    text_out = markdown(figures)
    print(text_out)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(text_out)
    return 0 if figures["unretried_429"] == 0 and figures["duplicates"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
