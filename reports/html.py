"""The performance report as one accessible HTML page.

Accessible by construction: one ``h1``, an ``h2`` per section, every table with a caption and
header cells with ``scope``, every chart an ``img`` with alt text saying what it shows (its
values are in the table beside it), ratings as words (colour only repeats them), the language
set, and no script. Charts are embedded as data URIs so the file stands alone (to e-mail or put
on the committee's papers).
"""

from __future__ import annotations

import base64
from html import escape

from reports.charts import actions_alt_text, actions_chart_png, figure_alt_text, figure_chart_png
from reports.performance import (
    FigureSection,
    PerformanceReport,
    sources_note,
    summary_groups,
    value_text,
)

STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #111; max-width: 60rem; margin: 1rem auto;
       padding: 0 1rem; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid #666; padding: 0.25rem 0.6rem; text-align: left; }
td.number { text-align: right; }
.rating-Green { background: #d4edda; } .rating-Amber { background: #fff3cd; }
.rating-Red { background: #f8d7da; }
img { max-width: 100%; height: auto; }
section { border-top: 2px solid #111; margin-top: 2rem; }
"""


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _rating_cell(rating: str) -> str:
    return f'<td class="rating-{escape(rating.replace(" ", "-"))}">{escape(rating)}</td>'


def _cover(report: PerformanceReport) -> list[str]:
    out = ["<h2 id=\"summary\">Summary</h2>"]
    for title, lines in summary_groups(report).items():
        out.append(f"<h3>{escape(title)}</h3>")
        out.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"
                   if lines else "<p>None.</p>")
    out.append("<table><caption>Latest figures against England and the council's targets"
               "</caption><thead><tr>" + "".join(
                   f'<th scope="col">{name}</th>' for name in
                   ("Figure", "Latest", "Change", "England", "Target", "Rating")) +
               "</tr></thead><tbody>")
    for item in report.sections:
        unit = item.spec.unit
        england = value_text(item.england, unit) if item.england is not None else "—"
        target = value_text(item.target, unit) if item.target is not None else "—"
        out.append(
            f'<tr><th scope="row"><a href="#{item.spec.key}">{escape(item.spec.title)}</a></th>'
            f'<td class="number">{escape(value_text(item.latest.value, unit))}</td>'
            f"<td>{escape(item.change)}</td>"
            f'<td class="number">{escape(england)}</td>'
            f'<td class="number">{escape(target)}</td>'
            + _rating_cell(item.rating) + "</tr>")
    out.append("</tbody></table>")
    out.append("<h3>Where the figures come from</h3><ul>"
               + "".join(f"<li>{escape(line)}</li>" for line in sources_note(report)) + "</ul>")
    return out


def _section(item: FigureSection) -> list[str]:
    spec, unit = item.spec, item.spec.unit
    england = value_text(item.england, unit) if item.england is not None else "not published"
    target = value_text(item.target, unit) if item.target is not None else "none set"
    out = [f'<section aria-labelledby="{spec.key}"><h2 id="{spec.key}">{escape(spec.title)}</h2>',
           f"<p>{escape(spec.definition)}</p>",
           f"<p>Latest: <strong>{escape(value_text(item.latest.value, unit))}</strong> "
           f"({escape(item.latest.label)}). England: {escape(england)}. Target: {escape(target)}. "
           f"Rating: <strong>{escape(item.rating)}</strong>.</p>",
           _img(figure_chart_png(item), figure_alt_text(item)),
           f"<table><caption>{escape(spec.title)} at each month end</caption><thead><tr>"
           '<th scope="col">Month</th><th scope="col">Value</th><th scope="col">Source</th>'
           "</tr></thead><tbody>"]
    for value in item.values:
        out.append(f'<tr><th scope="row">{escape(value.label)}</th>'
                   f'<td class="number">{escape(value_text(value.value, unit))}</td>'
                   f"<td>{escape(value.source)}</td></tr>")
    out.append("</tbody></table></section>")
    return out


def _actions(report: PerformanceReport) -> list[str]:
    actions = report.actions
    heads = ("Done on time", "Done late", "Overdue", "Not yet due")
    out = ['<section aria-labelledby="actions"><h2 id="actions">Improvement-plan actions by '
           "area</h2>",
           "<p>Every action owned by the scope's staff, as it stood at each date: done on time "
           "(completed by its due date), done late, overdue (not done and past due), not yet "
           "due.</p>",
           _img(actions_chart_png(actions), actions_alt_text(actions)),
           f"<table><caption>Actions by area on {escape(report.actions.months[-1].label)}"
           '</caption><thead><tr><th scope="col">Area</th>'
           + "".join(f'<th scope="col">{name}</th>' for name in heads) + "</tr></thead><tbody>"]
    for area in actions.by_area:
        out.append(f'<tr><th scope="row">{escape(area.area)}</th>' + "".join(
            f'<td class="number">{count}</td>' for count in
            (area.done_on_time, area.done_late, area.overdue, area.not_yet_due)) + "</tr>")
    if not actions.by_area:
        out.append('<tr><th scope="row">No actions</th>' + '<td class="number">0</td>' * 4
                   + "</tr>")
    out.append("</tbody></table>")
    out.append('<table><caption>Actions at each month end</caption><thead><tr>'
               '<th scope="col">Month</th>' + "".join(f'<th scope="col">{name}</th>'
                                                      for name in heads) + "</tr></thead><tbody>")
    for month in actions.months:
        out.append(f'<tr><th scope="row">{escape(month.label)}</th>' + "".join(
            f'<td class="number">{count}</td>' for count in
            (month.done_on_time, month.done_late, month.overdue, month.not_yet_due)) + "</tr>")
    out.append("</tbody></table></section>")
    return out


def report_title(report: PerformanceReport) -> str:
    return f"Performance report — {report.scope}"


def render_html(report: PerformanceReport) -> str:
    title = report_title(report)
    header = ['<a href="#main">Skip to the report</a>',
              f"<header><h1>{escape(title)}</h1>",
              f"<p>Children's social care, {report.months} month ends to "
              f"{report.as_of:%-d %B %Y}. For the scrutiny committee.</p>",
              '<nav aria-label="Sections"><ul>' + "".join(
                  f'<li><a href="#{item.spec.key}">{escape(item.spec.title)}</a></li>'
                  for item in report.sections) +
              '<li><a href="#actions">Improvement-plan actions by area</a></li></ul></nav>'
              "</header>"]
    body = _cover(report)
    for item in report.sections:
        body.extend(_section(item))
    body.extend(_actions(report))
    footer = (f"<footer><p>Made by the caseload bot on {report.as_of:%-d %B %Y} from the "
              "council's own data: case references only, no child is named.</p></footer>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(header) + '\n<main id="main">\n' + "\n".join(body)
            + "\n</main>\n" + footer + "\n</body>\n</html>\n")


__all__ = ["render_html", "report_title"]
