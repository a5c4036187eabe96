"""Issue #15: the daily reminders exactly once across two processes and a restart, under real
APScheduler triggers.

Each process is tests/jobs/reminder_child.py: the bot's own scheduler (jobs.scheduler.
start_scheduler) on the test store, posting to the recording Slack served here. Two are started
at once and told to go together: each moves the REMIND_CRON job to now with APScheduler's
`modify_job`, so both schedulers run the daily reminders from the shared job store at the same
time. When both have finished, a third (the restart, later the same morning) runs the
quarter-hourly check the same way. Slack answers each post a little slowly, so the two first runs
overlap and meet each other's claims in the delivery record.

"Now" for the reminder rules is Thursday 24 December 2026, 08:31 (jobs.reminders.CLOCK, set in
each child), the working day tests/jobs/test_reminders.py builds its people for; the scheduler,
its triggers and executor keep the real clock.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import IO

from jobs.reminders import NOTHING_DUE
from jobs.scheduler import REMIND_CHECK_JOB_ID, REMIND_JOB_ID
from tests.jobs.conftest import TEST_TOKEN
from tests.jobs.test_reminders import AT_0830, THURSDAY, people, reminder_rows  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
#: A generous bound for a child to start its scheduler, or to run the job and exit (not a timing
#: assertion: only so that a hung child fails the test instead of hanging it).
CHILD_SECONDS = 120.0
#: Each chat.postMessage is answered this much later, so the two first runs overlap.
SLOW_POST_SECONDS = 0.3
NOW = AT_0830 + timedelta(minutes=1)  # the REMIND_CRON run, on time
SENT = re.compile(r"^run: Reminders for (\S+): (\d+) sent, ")


def child_env(slack_settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {**os.environ, "DATABASE_URL": slack_settings.database_url,
            "SLACK_API_URL": slack_settings.slack_api_url, "SLACK_BOT_TOKEN": TEST_TOKEN,
            "REMIND_SENDS_PER_SECOND": "0", "REMIND_ENABLED": "true",
            "REMIND_CRON": "mon-fri 08:30", "BOT_TIMEZONE": "Europe/London", "IMPORT_DIR": "",
            "PYTHONPATH": str(ROOT)}


def start(job_id: str, env: dict[str, str], log: IO[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.jobs.reminder_child", NOW.isoformat(),
                             job_id], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=log, text=True)


def wait_ready(child: subprocess.Popen[str], log_path: Path) -> None:
    readable, _, _ = select.select([child.stdout], [], [], CHILD_SECONDS)
    line = child.stdout.readline() if readable else ""  # type: ignore[union-attr]
    if line.strip() != "ready":
        child.kill()
        raise AssertionError(f"the child did not start its scheduler: {line!r}\n"
                             f"{log_path.read_text()[-3000:]}")


def run_together(job_id: str, count: int, env: dict[str, str], tmp_path: Path,
                 name: str) -> list[list[str]]:
    """Start `count` children, let them all go at once, wait for all; each one's run lines."""
    logs = [tmp_path / f"{name}-{number}.log" for number in range(count)]
    handles = [path.open("w") for path in logs]
    children = [start(job_id, env, handle) for handle in handles]
    try:
        for child, path in zip(children, logs):
            wait_ready(child, path)
        for child in children:
            child.stdin.write("go\n")  # type: ignore[union-attr]
            child.stdin.flush()  # type: ignore[union-attr]
        outputs = []
        for child, path in zip(children, logs):
            out, _ = child.communicate(timeout=CHILD_SECONDS)
            assert child.returncode == 0, f"{out}\n{path.read_text()[-3000:]}"
            outputs.append([line for line in out.splitlines() if line.startswith("run: ")])
        return outputs
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
        for handle in handles:
            handle.close()


def sent_in(lines: list[str]) -> int:
    total = 0
    for line in lines:
        match = SENT.match(line)
        assert match and match[1] == THURSDAY.isoformat(), line
        total += int(match[2])
    return total


def test_exactly_once_across_two_processes_and_a_restart(
        engine, people, slack, slack_settings, tmp_path) -> None:  # noqa: F811
    slack.after_accepting("chat.postMessage", lambda _call: time.sleep(SLOW_POST_SECONDS))
    env = child_env(slack_settings)

    first, second = run_together(REMIND_JOB_ID, 2, env, tmp_path, "pair")
    assert first and second  # the daily job ran in both processes
    assert sent_in(first) + sent_in(second) == 3
    assert sorted(call.body["channel"] for call in slack.calls_to("chat.postMessage")) == [
        "UNQ1", "USW1", "UTM1"]

    [restarted] = run_together(REMIND_CHECK_JOB_ID, 1, env, tmp_path, "restart")
    assert restarted and sent_in(restarted) == 0  # the check ran, and had nothing to send

    # One DM each to those with something due; SW2 (nothing due) none, recorded as done.
    assert sorted(call.body["channel"] for call in slack.calls_to("chat.postMessage")) == [
        "UNQ1", "USW1", "UTM1"]
    rows = reminder_rows(engine)
    assert sorted(row.destination for row in rows) == [
        "slack-dm:UNQ1", "slack-dm:USW1", "slack-dm:USW2", "slack-dm:UTM1"]
    assert {(row.status, row.period, row.attempts) for row in rows} == {
        ("sent", THURSDAY.isoformat(), 1)}
    assert {row.destination for row in rows if row.message_ref == NOTHING_DUE} == {
        "slack-dm:USW2"}
