"""SPEC section 11: the performance report — history rebuilt or recorded, never invented; the
same figures as the digests and the census summary; a PDF page per section; accessible HTML."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from a11y_lint import check_html
from pypdf import PdfReader
from sqlmodel import Session, select

from exporters.census_summary import census_summary
from jobs.digests import build_staffing_digest, build_supervision_digest
from jobs.snapshots import record_snapshots
from models import Service
from queries.figures_history import NO_DATA, RECORDED, REBUILT
from queries.staffing import staffing_figures
from reports.cli import ReportRefused, write_performance_report
from reports.html import render_html
from reports.pdf import render_pdf, section_count
from reports.performance import (
    AMBER,
    FIGURES,
    GREEN,
    NO_TARGET,
    RED,
    build_report,
    rating,
)
from tests.reports.history import NOVEMBER_END, OCTOBER_END, TODAY, council_with_history


@pytest.fixture
def history(session: Session):  # type: ignore[no-untyped-def]
    return council_with_history(session)


def safeguarding(session: Session) -> Service:
    return session.exec(select(Service).where(Service.name == "Safeguarding")).one()


def values(report, month: date) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    return {item.spec.key: next(v.value for v in item.values if v.day == month)
            for item in report.sections}


def test_a_past_day_takes_each_cases_lead_from_the_allocation_history(session, history,
                                                                      settings) -> None:
    service = safeguarding(session)
    october = staffing_figures(session, as_of=OCTOBER_END, settings=settings,
                               service_id=service.id)
    today = staffing_figures(session, as_of=TODAY, settings=settings, service_id=service.id)
    # 31 October: S-WAITED had no worker yet, N-MOVED was the leaver's.
    assert october.unallocated_cases == 2  # N-UNALLOC and S-WAITED
    assert today.unallocated_cases == 1
    assert october.case_holders == today.case_holders + 1  # the leaver held a case then


def test_rebuilt_figures_for_a_past_month_equal_the_digest_dated_that_month_end(
    session, history, settings
) -> None:
    service = safeguarding(session)
    report = build_report(session, as_of=TODAY, today=TODAY, settings=settings, months=3,
                          service_id=service.id)
    for month in (OCTOBER_END, NOVEMBER_END, TODAY):
        digest = build_staffing_digest(session, service, month, settings).total
        got = values(report, month)
        assert got["fte_in_post"] == digest.fte_in_post
        assert got["vacancy_pct"] == digest.vacancy_rate_pct
        assert got["agency_pct"] == digest.agency_rate_pct
        assert got["turnover_pct"] == digest.turnover_12m_pct
        assert got["caseload_per_fte"] == digest.caseload_per_fte
        assert got["workers_over_cap"] == len(digest.workers_over_cap)
        assert got["unallocated"] == digest.unallocated_cases
        assert got["oldest_unallocated_days"] == (digest.oldest_unallocated or ("", 0))[1]
    assert values(report, OCTOBER_END)["unallocated"] == 2
    assert values(report, TODAY)["agency_pct"] > 0 == values(report, OCTOBER_END)["agency_pct"]


def test_all_services_figures_equal_the_census_summary_of_the_same_day(session, history,
                                                                      settings) -> None:
    report = build_report(session, as_of=TODAY, today=TODAY, settings=settings, months=2)
    for month in (NOVEMBER_END, TODAY):
        summary = {line.figure: line.council
                   for line in census_summary(session, as_of=month, settings=settings).lines}
        got = values(report, month)
        assert summary["FTE in post"] == f"{got['fte_in_post']:.1f}"
        assert summary["Vacancy rate"] == f"{got['vacancy_pct']:.1f} %"
        assert summary["Agency rate"] == f"{got['agency_pct']:.1f} %"
        assert summary["Turnover (12 months)"] == f"{got['turnover_pct']:.1f} %"
        assert summary["Average caseload"] == f"{got['caseload_per_fte']:.1f}"


def test_todays_supervision_figure_equals_the_supervision_digest(session, history,
                                                                 settings) -> None:
    service = safeguarding(session)
    report = build_report(session, as_of=TODAY, today=TODAY, settings=settings, months=1,
                          service_id=service.id)
    digest = build_supervision_digest(session, service, TODAY, settings)
    assert values(report, TODAY)["supervision_on_time_pct"] == digest.total.on_time_pct
    assert values(report, TODAY)["nqsw_breaches"] == 1  # NQ1, lead on a CP case


def test_a_month_with_no_snapshot_is_shown_as_no_data_and_a_recorded_one_as_recorded(
    engine, session, history, settings
) -> None:
    record_snapshots(engine, NOVEMBER_END, settings)  # the bot ran on 30 November, not October
    report = build_report(session, as_of=date(2026, 11, 30), today=TODAY, settings=settings,
                          months=3)
    visits = next(item for item in report.sections if item.spec.key == "overdue_visits")
    by_month = {value.day: value for value in visits.values}
    assert (by_month[OCTOBER_END].value, by_month[OCTOBER_END].source) == (None, NO_DATA)
    assert by_month[date(2026, 9, 30)].value is None
    assert by_month[NOVEMBER_END].source == RECORDED and by_month[NOVEMBER_END].value is not None
    fte = next(item for item in report.sections if item.spec.key == "fte_in_post")
    assert {value.source for value in fte.values} == {REBUILT}
    assert report.missing_months == ("Sep 2026", "Oct 2026")
    assert report.recorded_months == ("Nov 2026",)
    html = render_html(report)
    assert "<td>no data</td>" in html
    assert ("No snapshot, shown as &quot;no data&quot; and never estimated: Sep 2026, Oct 2026"
            in html)


def test_a_month_before_anyone_started_is_no_data_not_zero(session, history, settings) -> None:
    report = build_report(session, as_of=TODAY, today=TODAY, settings=settings, months=60)
    fte = next(item for item in report.sections if item.spec.key == "fte_in_post")
    assert fte.values[0].value is None and fte.values[0].source == NO_DATA  # Jan 2022
    assert fte.values[-1].value is not None


def test_ratings_are_words_against_the_councils_targets() -> None:
    assert rating(9.0, 10.0, False, 10) == GREEN
    assert rating(10.5, 10.0, False, 10) == AMBER
    assert rating(12.0, 10.0, False, 10) == RED
    assert rating(90.0, 95.0, True, 10) == AMBER
    assert rating(80.0, 95.0, True, 10) == RED
    assert rating(5.0, None, False, 10) == NO_TARGET
    assert rating(None, 10.0, False, 10) == NO_DATA


def test_the_pdf_opens_with_a_cover_and_one_page_per_section(session, history,
                                                            settings) -> None:
    targets = replace(settings, targets="agency_pct=10,caseload_per_fte=16")
    report = build_report(session, as_of=TODAY, today=TODAY, settings=targets, months=3)
    reader = PdfReader(io.BytesIO(render_pdf(report)))
    assert len(reader.pages) == 1 + section_count(report) == 2 + len(FIGURES)
    cover = reader.pages[0].extract_text()
    assert "Performance report" in cover and "Improved" in cover and "Worsened" in cover
    assert "Agency rate" in cover and "Caseload per FTE" in cover
    for number, (page, spec) in enumerate(zip(reader.pages[1:], FIGURES), start=2):
        text = page.extract_text()
        assert f"Page {number}\n{spec.title}\n" in text  # the footer, then the page's heading
        assert "Rating" in text and "Nov 2026" in text
    agency = reader.pages[1 + [s.key for s in FIGURES].index("agency_pct")].extract_text()
    assert "13.0 %" in agency and "10.0 %" in agency  # England's figure and the target
    assert "Improvement-plan actions by area" in reader.pages[-1].extract_text()
    assert "Sam Worker" not in "".join(page.extract_text() for page in reader.pages[1:])


def test_the_html_has_no_accessibility_errors(session, history, settings) -> None:
    report = build_report(session, as_of=TODAY, today=TODAY, settings=replace(
        settings, targets="agency_pct=10"), months=3)
    html = render_html(report)
    assert check_html(html) == []
    # What the checker cannot judge, checked here: every chart described, every table captioned.
    assert html.count("<img ") == len(FIGURES) + 1
    assert html.count('alt="Line chart of') == len(FIGURES) + 1
    assert html.count("<table>") == html.count("<caption>")
    assert html.count("<h1>") == 1


def test_the_cli_writes_pdf_or_html_and_refuses_anything_else(engine, history, settings,
                                                              tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    report = write_performance_report(engine, settings, out=pdf, as_of=TODAY, today=TODAY,
                                      months=2, service_name="safeguarding")
    assert report.scope == "Safeguarding" and pdf.read_bytes().startswith(b"%PDF")
    with pytest.raises(ReportRefused, match="no service called 'Nowhere'"):
        write_performance_report(engine, settings, out=tmp_path / "r.html", as_of=TODAY,
                                 today=TODAY, service_name="Nowhere")
    with pytest.raises(ReportRefused, match="--out must end in"):
        write_performance_report(engine, settings, out=tmp_path / "r.docx", as_of=TODAY,
                                 today=TODAY)
    with pytest.raises(ValueError, match="TARGETS names figure"):
        write_performance_report(engine, replace(settings, targets="agncy_pct=10"),
                                 out=tmp_path / "r.html", as_of=TODAY, today=TODAY)
