"""The performance report as a PDF: a cover page, then one page per figure and one for actions.

Laid out with reportlab (pure Python, no system libraries) from the same report object and
charts as the HTML. Each page's content is kept to its page (shrunk a little if it must), so the
committee's papers always have a figure per page, and the page count is the section count plus
the cover. Ratings are printed as words; the cell colour only repeats the word.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Image,
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from reports.charts import actions_chart_png, figure_chart_png
from reports.html import report_title
from reports.performance import (
    AMBER,
    GREEN,
    RED,
    FigureSection,
    PerformanceReport,
    sources_note,
    summary_groups,
    value_text,
)

RATING_COLOURS = {GREEN: colors.HexColor("#d4edda"), AMBER: colors.HexColor("#fff3cd"),
                  RED: colors.HexColor("#f8d7da")}
MARGIN = 1.6 * cm
FRAME_WIDTH = A4[0] - 2 * MARGIN
FRAME_HEIGHT = A4[1] - 2 * MARGIN - 1.0 * cm  # room for the footer

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle("ReportTitle", parent=_styles["Title"], fontSize=18, spaceAfter=6)
HEADING = ParagraphStyle("ReportHeading", parent=_styles["Heading1"], fontSize=15, spaceAfter=4)
SUBHEADING = ParagraphStyle("ReportSub", parent=_styles["Heading3"], fontSize=11, spaceAfter=2,
                            spaceBefore=6)
BODY = ParagraphStyle("ReportBody", parent=_styles["BodyText"], fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("ReportSmall", parent=BODY, fontSize=8.5, leading=11)


def _text(value: str) -> str:
    """Escape for reportlab's mini-markup; the built-in fonts lack U+2212, so a hyphen."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\u2212", "-"))


def _table(rows: list[list[str]], widths: list[float], rating_column: int | None = None
           ) -> Table:
    table = Table([[Paragraph(_text(cell), SMALL) for cell in row] for row in rows],
                  colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#666666")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if rating_column is not None:
        for index, row in enumerate(rows[1:], start=1):
            colour = RATING_COLOURS.get(row[rating_column])
            if colour is not None:
                style.append(("BACKGROUND", (rating_column, index), (rating_column, index), colour))
    table.setStyle(TableStyle(style))
    return table


def _chart(png: bytes) -> Image:
    image = Image(io.BytesIO(png))
    scale = FRAME_WIDTH / image.imageWidth
    image.drawWidth, image.drawHeight = FRAME_WIDTH, image.imageHeight * scale
    return image


def _page(content: list[Flowable]) -> KeepInFrame:
    return KeepInFrame(FRAME_WIDTH, FRAME_HEIGHT, content, mode="shrink")


def _cover(report: PerformanceReport) -> list[Flowable]:
    out: list[Flowable] = [
        Paragraph(_text(report_title(report)), TITLE),
        Paragraph(_text(f"Children's social care, {report.months} month ends to "
                        f"{report.as_of:%-d %B %Y}. For the scrutiny committee."), BODY),
    ]
    for title, lines in summary_groups(report).items():
        out.append(Paragraph(_text(title), SUBHEADING))
        out.extend(Paragraph("• " + _text(line), SMALL) for line in lines) if lines else \
            out.append(Paragraph("None.", SMALL))
    rows = [["Figure", "Latest", "Change", "England", "Target", "Rating"]]
    for item in report.sections:
        unit = item.spec.unit
        rows.append([item.spec.title, value_text(item.latest.value, unit), item.change,
                     value_text(item.england, unit) if item.england is not None else "—",
                     value_text(item.target, unit) if item.target is not None else "—",
                     item.rating])
    out += [Spacer(1, 6), Paragraph("Latest figures against England and the council's targets",
                                    SUBHEADING),
            _table(rows, [x * cm for x in (5.6, 2.3, 2.8, 2.0, 2.0, 3.1)], rating_column=5),
            Paragraph("Where the figures come from", SUBHEADING)]
    out.extend(Paragraph(_text(line), SMALL) for line in sources_note(report))
    return out


def _section(item: FigureSection) -> list[Flowable]:
    spec, unit = item.spec, item.spec.unit
    england = value_text(item.england, unit) if item.england is not None else "not published"
    target = value_text(item.target, unit) if item.target is not None else "none set"
    rows = [["Month", "Value", "Source"]] + [
        [value.label, value_text(value.value, unit), value.source] for value in item.values]
    rating_rows = [["Latest", "England", "Target", "Rating"],
                   [f"{value_text(item.latest.value, unit)} ({item.latest.label})", england,
                    target, item.rating]]
    return [
        Paragraph(_text(spec.title), HEADING),
        Paragraph(_text(spec.definition), BODY),
        Spacer(1, 4),
        _table(rating_rows, [x * cm for x in (5.2, 3.6, 3.6, 3.4)], rating_column=3),
        Spacer(1, 6),
        _chart(figure_chart_png(item)),
        Spacer(1, 4),
        Paragraph(_text(f"{spec.title} at each month end"), SUBHEADING),
        _table(rows, [x * cm for x in (4.0, 3.5, 3.5)]),
    ]


def _actions(report: PerformanceReport) -> list[Flowable]:
    actions = report.actions
    heads = ["Done on time", "Done late", "Overdue", "Not yet due"]
    by_area = [["Area", *heads]] + [
        [area.area, *(str(n) for n in (area.done_on_time, area.done_late, area.overdue,
                                       area.not_yet_due))] for area in actions.by_area]
    if len(by_area) == 1:
        by_area.append(["No actions", "0", "0", "0", "0"])
    by_month = [["Month", *heads]] + [
        [m.label, *(str(n) for n in (m.done_on_time, m.done_late, m.overdue, m.not_yet_due))]
        for m in actions.months]
    return [
        Paragraph("Improvement-plan actions by area", HEADING),
        Paragraph("Every action owned by the scope's staff, as it stood at each date: done on "
                  "time (completed by its due date), done late, overdue (not done and past due), "
                  "not yet due.", BODY),
        Spacer(1, 4),
        _chart(actions_chart_png(actions)),
        Paragraph(_text(f"Actions by area on {actions.months[-1].label}"), SUBHEADING),
        _table(by_area, [x * cm for x in (6.6, 2.6, 2.4, 2.4, 2.6)]),
        Paragraph("Actions at each month end", SUBHEADING),
        _table(by_month, [x * cm for x in (4.0, 2.6, 2.4, 2.4, 2.6)]),
    ]


def render_pdf(report: PerformanceReport) -> bytes:
    """The PDF's bytes: cover, one page per figure, one page of actions."""
    buffer = io.BytesIO()
    title = report_title(report)

    def footer(canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(MARGIN, MARGIN / 2, _text(f"{title}, {report.as_of:%-d %B %Y}"))
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, f"Page {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                                 topMargin=MARGIN, bottomMargin=MARGIN + 0.6 * cm, title=title,
                                 author="caseload bot", subject="Performance report", lang="en-GB")
    pages: list[list[Flowable]] = [_cover(report), *(_section(item) for item in report.sections),
                                   _actions(report)]
    story: list[Flowable] = []
    for number, content in enumerate(pages):
        if number:
            story.append(PageBreak())
        story.append(_page(content))
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def section_count(report: PerformanceReport) -> int:
    """Pages after the cover: one per figure and one for the actions."""
    return len(report.sections) + 1


__all__ = ["render_pdf", "section_count"]
