"""One digest run in a process of its own, configured from the environment as `serve` is.

The crash tests start it, let it get as far as they want (the fake Slack holds it there), and kill
it with SIGKILL: no exception handler, no `finally`, no chance to mark anything — a real crash.

    python -m tests.jobs.digest_child staffing 2026-11-23
"""

from __future__ import annotations

import sys
from datetime import date

from config import get_settings
from jobs.runner import run_digests
from jobs.slack_poster import SlackPoster, slack_client
from models.store import engine_for

#: Short retry backoff, as the in-process digest tests use, so a test never waits on it.
BACKOFF_SECONDS = 0.05


def main(argv: list[str]) -> int:
    kind, as_of = argv[1], date.fromisoformat(argv[2])
    settings = get_settings()
    poster = SlackPoster(settings, client=slack_client(settings, backoff_s=BACKOFF_SECONDS))
    report = run_digests(engine_for(settings.database_url), settings, kind, as_of, [poster])
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
