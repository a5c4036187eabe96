"""`python bot.py digest staffing|supervision|actions [--date D] [--dry-run]`.

Without --dry-run it posts through the very path the scheduler uses (jobs.runner), so a manual
run for a week the scheduler has already posted posts nothing, and a manual run first makes the
scheduled one post nothing. A manual run always retries failed destinations (no attempt cap).
With --dry-run it prints each service's digest as text, as the head of service would read it,
and neither posts nor records anything.
"""

from __future__ import annotations

import logging
from datetime import date

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from config import Settings
from jobs import DIGEST_KINDS

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def echo(text: str, err: bool = False) -> None:
    typer.echo(text, err=err)


def dry_run(engine, kind: str, day: date, settings: Settings) -> int:  # type: ignore[no-untyped-def]
    from jobs.digests import all_services, build_digest
    from render.digest_text import render_digest_text

    with Session(engine) as session:
        services = all_services(session)
        if not services:
            echo("No services yet: import teams first (python bot.py import teams FILE).")
            return EXIT_OK
        for number, service in enumerate(services):
            digest = build_digest(session, kind, service, day, settings)
            if number:
                echo("\n" + "=" * 72 + "\n")
            echo(render_digest_text(digest, named=True))
    echo("\n(dry run: nothing was posted or recorded)")
    return EXIT_OK


def run_digest_command(kind: str, day: date, dry_run_only: bool, settings: Settings) -> int:
    """Build (and unless dry-run, post) one kind of digest for every service; the exit code."""
    kind = kind.strip().lower()
    if kind not in DIGEST_KINDS:
        echo(f"Unknown digest '{kind}'. Use one of: {', '.join(DIGEST_KINDS)}.", err=True)
        return EXIT_USAGE
    from jobs.posters import posters_for
    from jobs.runner import run_digests
    from models.migrate import upgrade_store
    from models.store import engine_for

    try:
        engine = engine_for(settings.database_url)
        posters = [] if dry_run_only else posters_for(settings, engine)
        if not dry_run_only and not posters:
            echo("No chat platform is configured (SLACK_BOT_TOKEN is not set, nor TEAMS_APP_ID "
                 "and TEAMS_APP_PASSWORD), so nothing can be posted. Use --dry-run to print the "
                 "digest instead.", err=True)
            return EXIT_FAILED
        upgrade_store(settings)
        if dry_run_only:
            return dry_run(engine, kind, day, settings)
        report = run_digests(engine, settings, kind, day, posters)
    except SQLAlchemyError as failure:
        echo(f"The database cannot be reached ({type(failure).__name__}); nothing was posted. "
             f"Check DATABASE_URL and try again.", err=True)
        return EXIT_FAILED
    for line in report.lines():
        echo(line)
    if not report.ok:
        echo("Some digests were not delivered (see above). Run the same command again to retry "
             "them: what was sent is not sent twice.", err=True)
        return EXIT_FAILED
    return EXIT_OK


__all__ = ["run_digest_command"]
