"""`python bot.py report performance …`: build the report and write it as PDF or HTML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from config import Settings
from reports.html import render_html
from reports.pdf import render_pdf
from reports.performance import PerformanceReport, build_report, find_service

FORMATS = (".pdf", ".html")


class ReportRefused(Exception):
    """A report that cannot be made as asked (unknown service, wrong file type): said plainly."""


def report_bytes(report: PerformanceReport, suffix: str) -> bytes:
    if suffix == ".pdf":
        return render_pdf(report)
    if suffix == ".html":
        return render_html(report).encode("utf-8")
    raise ReportRefused(f"the report is written as {' or '.join(FORMATS)}, not "
                        f"{suffix or 'a file with no extension'}")


def write_performance_report(
    engine: Engine, settings: Settings, *, out: Path, as_of: date, today: date,
    months: int | None = None, service_name: str | None = None,
) -> PerformanceReport:
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ReportRefused(f"--out must end in {' or '.join(FORMATS)}")
    with Session(engine) as session:
        service_id = None
        if service_name:
            service = find_service(session, service_name)
            if service is None:
                raise ReportRefused(f"no service called '{service_name}'")
            service_id = service.id
        report = build_report(session, as_of=as_of, today=today, settings=settings,
                              months=months, service_id=service_id)
    out.write_bytes(report_bytes(report, suffix))
    return report


__all__ = ["FORMATS", "ReportRefused", "report_bytes", "write_performance_report"]
