"""The bot's real scheduler in a process of its own, until one reminder job has run in it.

Configured from the environment as `serve` is (DATABASE_URL, SLACK_API_URL, SLACK_BOT_TOKEN,
REMIND_SENDS_PER_SECOND, ...). It starts jobs.scheduler.start_scheduler, prints "ready", waits
for a line on stdin ("go": the test starts several children at once), then moves the named
reminder job's next run time to now with APScheduler's own `modify_job`: the scheduler's loop
finds the job due and its executor runs it from the job store, as a trigger firing would. When
that job has run in this process it shuts the scheduler down (waiting for the job) and exits.

"Now" for the reminder rules is the instant given (jobs.reminders.CLOCK), so the day is a working
day with something due whatever day the test runs; the scheduler itself keeps the real clock.

    python -m tests.jobs.reminder_child 2026-12-24T08:31:00+00:00 reminders-daily

Prints, one a line: "ready"; then "run: <the run's summary line>" for each reminder run in this
process; then "done". Exits 1 when a reminder job raised.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent

import jobs.reminders as reminders_module
from config import get_settings
from jobs.scheduler import REMIND_CHECK_JOB_ID, REMIND_JOB_ID, start_scheduler
from models.store import engine_for

#: How long to wait for this process's scheduler to run the job before moving it to now again
#: (another process's scheduler, finishing its own run, may have written the job's next run
#: time over ours between our write and our scheduler's read).
NUDGE_SECONDS = 3.0
#: Give up (exit 2) if the job has not run here by then.
RUN_SECONDS = 90.0


class RunLines(logging.Handler):
    """Collects the summary line each run of jobs.reminders logs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Reminders for "):
            self.lines.append(message)


def main(argv: list[str]) -> int:
    now, job_id = datetime.fromisoformat(argv[1]), argv[2]
    if job_id not in (REMIND_JOB_ID, REMIND_CHECK_JOB_ID):
        raise SystemExit(f"not a reminder job: {job_id}")
    reminders_module.CLOCK = lambda: now
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    runs = RunLines()
    reminder_log = logging.getLogger("jobs.reminders")
    reminder_log.setLevel(logging.DEBUG)  # "0 sent" is logged at DEBUG
    reminder_log.addHandler(runs)

    settings = get_settings()
    engine = engine_for(settings.database_url)
    ran = threading.Event()
    errors: list[str] = []

    def on_job(event: JobExecutionEvent) -> None:
        if event.job_id != job_id:
            return
        if event.exception is not None:
            errors.append(repr(event.exception))
        ran.set()

    scheduler = start_scheduler(settings, engine)
    scheduler.add_listener(on_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    zone = ZoneInfo(settings.bot_timezone)
    print("ready", flush=True)
    sys.stdin.readline()
    deadline = time.monotonic() + RUN_SECONDS
    while not ran.is_set() and time.monotonic() < deadline:
        scheduler.modify_job(job_id, next_run_time=datetime.now(zone))
        ran.wait(NUDGE_SECONDS)
    scheduler.shutdown(wait=True)
    engine.dispose()
    for line in runs.lines:
        print(f"run: {line}", flush=True)
    print("done", flush=True)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    return 0 if ran.is_set() else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
