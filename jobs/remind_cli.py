"""`python bot.py remind [--date D] [--dry-run]`: the daily reminder job, by hand.

Without --dry-run it sends through the very path the scheduler uses (jobs.reminders), for
everyone due that day whatever their chosen time, so a manual run and the scheduled one send
each person one reminder between them. --dry-run prints each message, posts and records nothing.
"""

from __future__ import annotations

from datetime import date

import typer
from sqlalchemy.exc import SQLAlchemyError

from config import Settings

EXIT_OK = 0
EXIT_FAILED = 1


def run_remind_command(day: date, dry_run_only: bool, settings: Settings) -> int:
    from jobs.notes import note_posters
    from jobs.reminders import default_time, preview, run_reminders
    from models.migrate import upgrade_store
    from models.store import engine_for

    if default_time(day, settings) is None:
        typer.echo(f"{day.isoformat()} is not a reminder day (a weekend, a bank holiday, or not "
                   f"in REMIND_CRON={settings.remind_cron!r}): nothing to send.")
        return EXIT_OK
    try:
        engine = engine_for(settings.database_url)
        upgrade_store(settings)
        if dry_run_only:
            shown = preview(engine, settings, day)
            for staff_id, message in shown:
                typer.echo(f"--- to {staff_id} ---\n{message}\n")
            typer.echo(f"({len(shown)} reminder(s); dry run: nothing was posted or recorded)")
            return EXIT_OK
        posters = note_posters(settings, engine)
        if not posters:
            typer.echo("No chat platform is configured (SLACK_BOT_TOKEN, or TEAMS_APP_ID and "
                       "TEAMS_APP_PASSWORD), so nothing can be sent. Use --dry-run to print the "
                       "reminders instead.", err=True)
            return EXIT_FAILED
        run = run_reminders(engine, settings, day, posters)
    except SQLAlchemyError as failure:
        typer.echo(f"The database cannot be reached ({type(failure).__name__}); nothing was "
                   "sent. Check DATABASE_URL and try again.", err=True)
        return EXIT_FAILED
    for line in run.lines():
        typer.echo(line)
    return EXIT_OK if run.ok else EXIT_FAILED


__all__ = ["run_remind_command"]
