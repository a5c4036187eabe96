"""caseload bot: the one entry point (serve, ask, import, digest, db, demo)."""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path

import typer

from config import get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
db_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Database migrations.")
app.add_typer(db_app, name="db")
export_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Export figures.")
app.add_typer(export_app, name="export")


def parse_day(value: str | None) -> date:
    """--date takes ISO or UK dates, like the importers; default today."""
    if not value:
        return date.today()
    from importers.cells import parse_date

    parsed = parse_date(value)
    if isinstance(parsed, str):
        raise typer.BadParameter(f"'{value}' {parsed}")
    return parsed


def migrated_engine():  # type: ignore[no-untyped-def]
    """The configured store, migrated to head: a fresh install works without a separate step."""
    from models.migrate import upgrade
    from models.store import get_engine

    engine = get_engine()
    upgrade(engine)
    return engine


@app.command()
def ask(
    text: str = typer.Argument(..., help='The command, e.g. "/caseload team Assessment North"'),
    as_: str = typer.Option(..., "--as", help="Staff id or e-mail of the person asking"),
    on: str = typer.Option(None, "--date", help="Answer as of this date (default today)"),
) -> None:
    """Answer one command as plain text, exactly as the chat front ends would."""
    from queries.access import Identity
    from queries.answer import ask as ask_query
    from render.text import render_text

    outcome = ask_query(migrated_engine(), Identity("cli", staff_id=as_), text,
                        today=parse_day(on), settings=get_settings())
    typer.echo(render_text(outcome.answer))
    from queries.results import unwrapped

    if type(unwrapped(outcome.answer)).__name__ in {"Refusal", "Invalid", "Unavailable"}:
        raise typer.Exit(1)


@app.command("import")
def import_(
    kind: str = typer.Argument(
        ..., help="teams, staff, cases, supervisions, actions, annex-a or census"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="CSV or XLSX (annex-a: the .xlsx; census: the XML or CSV)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report only"),
) -> None:
    """Load a CSV/XLSX extract, an Annex A workbook or a census return: all or nothing."""
    from importers import KINDS, import_file
    from models.store import session_scope

    returns = ("annex-a", "census")  # the standard returns: their own readers
    if kind not in KINDS and kind not in returns:
        typer.echo(f"Unknown import kind '{kind}'. Use one of: {', '.join(KINDS + returns)}.",
                   err=True)
        raise typer.Exit(2)
    engine = migrated_engine()
    with session_scope(engine) as session:
        if kind == "annex-a":
            from importers.annex_a import import_annex_a
            report = import_annex_a(session, file, dry_run=dry_run, today=date.today())
        elif kind == "census":
            from importers.census import import_census
            report = import_census(session, file, dry_run=dry_run, today=date.today())
        else:
            report = import_file(session, kind, file, dry_run=dry_run, today=date.today())
    typer.echo(report.summary())
    if not report.ok:
        raise typer.Exit(1)


@export_app.command("census-summary")
def export_census_summary(
    on: str = typer.Option(None, "--date", help="The figures' date (default today)"),
) -> None:
    """Staffing figures by the workforce census definitions, beside England's."""
    from exporters.census_summary import census_summary, render_census_summary
    from models.store import session_scope

    with session_scope(migrated_engine()) as session:
        summary = census_summary(session, as_of=parse_day(on), settings=get_settings())
    typer.echo(render_census_summary(summary))


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Run Alembic migrations to head (or the given revision)."""
    from models.migrate import upgrade
    from models.store import get_engine

    upgrade(get_engine(), revision)
    typer.echo(f"Database at {revision}.")


@app.command()
def demo(
    as_: str = typer.Option(None, "--as", help="Start as this demo user (staff id or e-mail)"),
    on: str = typer.Option(None, "--date", help="Pretend today is this date"),
) -> None:
    """The local demo: seed a synthetic council into the store if empty, then open a console."""
    from demo.console import run_console
    from demo.seed import seed_if_empty

    engine = migrated_engine()
    today = parse_day(on)
    seeded = seed_if_empty(engine, today)
    if seeded:
        typer.echo(seeded)
    run_console(engine, today, get_settings(), start_as=as_)


@app.command()
def run() -> None:
    """`make run`: serve the chat front ends when credentials are configured, else the demo."""
    settings = get_settings()
    if settings.slack_enabled or settings.teams_enabled:
        serve(no_scheduler=False, port=None)
    else:
        typer.echo("No Slack or Teams credentials configured: starting the local demo.")
        demo(as_=None, on=None)


@app.command()
def serve(
    no_scheduler: bool = typer.Option(False, "--no-scheduler",
                                      help="Do not run the digest scheduler (extra web replicas)"),
    port: int = typer.Option(None, "--port", help="HTTP port (default PORT, 3000)"),
) -> None:
    """Serve Slack (Socket Mode or HTTP /slack/events) and Teams (/api/messages)."""
    from handlers.server import serve as serve_app

    logging.getLogger().setLevel(logging.INFO)  # a server's log says what it is doing
    serve_app(get_settings(), run_scheduler=not no_scheduler, port=port)


@app.command()
def digest(
    kind: str = typer.Argument(..., help="staffing, supervision or actions"),
    on: str = typer.Option(None, "--date", help="The digest's date (default today)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the digest; post nothing"),
) -> None:
    """Build a weekly digest for every service, and post it unless --dry-run."""
    from jobs.cli import run_digest_command

    raise typer.Exit(run_digest_command(kind, parse_day(on), dry_run, get_settings()))


def main() -> None:
    """Warnings only by default, so the console and one-shot commands keep the screen clean;
    `serve` turns on INFO for itself."""
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app()


if __name__ == "__main__":
    sys.exit(main())
