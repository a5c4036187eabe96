"""The report's monthly line charts, readable in black and white (SPEC section 11).

Each series differs by line style and marker, not only by colour: the council's figure a solid
black line with round markers, England's figure a dashed line, the target a dash-dot line with
no markers. A month with no data is a gap in the line, marked "no data" on the axis, never joined
across. Drawn with matplotlib's object API under render.charts' lock (matplotlib is not thread
safe, and the scheduler's threads draw digests too).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.figure import Figure

from render.charts import _DRAWING, _png
from reports.performance import ActionsSection, FigureSection, value_text


def _months_axis(axes, labels: Sequence[str]) -> None:  # type: ignore[no-untyped-def]
    axes.set_xticks(range(len(labels)), labels=labels, rotation=45, ha="right", fontsize=8)
    axes.grid(axis="y", color="#bbbbbb", linewidth=0.5)
    axes.spines[["top", "right"]].set_visible(False)


def _legend_below(axes) -> None:  # type: ignore[no-untyped-def]
    """Below the month labels, so it never hides a point of the line."""
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), fontsize=8, frameon=False,
                ncol=3)


def figure_chart_png(section: FigureSection) -> bytes:
    """One figure month by month, with England's figure and the target as reference lines."""
    labels = [value.label for value in section.values]
    values = [math.nan if value.value is None else value.value for value in section.values]
    with _DRAWING:
        figure = Figure(figsize=(7.2, 3.1))
        axes = figure.add_subplot()
        axes.plot(range(len(values)), values, color="black", linestyle="-", marker="o",
                  markersize=5, linewidth=2, label="Council")
        known = [value for value in values if not math.isnan(value)]
        top = max([*known, section.england or 0, section.target or 0, 1])
        if section.england is not None:
            axes.axhline(section.england, color="#444444", linestyle="--", linewidth=1.4,
                         label=f"England {value_text(section.england, section.spec.unit)}")
        if section.target is not None:
            axes.axhline(section.target, color="#1f5fa0", linestyle="-.", linewidth=1.4,
                         label=f"Target {value_text(section.target, section.spec.unit)}")
        for position, value in enumerate(values):
            if math.isnan(value):
                axes.text(position, top * 0.06, "no data", rotation=90, fontsize=7,
                          ha="center", va="bottom", color="#333333")
        axes.set_ylim(0, top * 1.12)
        _months_axis(axes, labels)
        axes.set_ylabel(section.spec.unit)
        axes.set_title(section.spec.title, fontsize=11)
        _legend_below(axes)
        return _png(figure)


def actions_chart_png(actions: ActionsSection) -> bytes:
    """Actions overdue, done on time and done late at each month end: three line styles."""
    labels = [month.label for month in actions.months]
    with _DRAWING:
        figure = Figure(figsize=(7.2, 3.1))
        axes = figure.add_subplot()
        series = (
            ("Overdue", [m.overdue for m in actions.months], "-", "o", "black"),
            ("Done on time", [m.done_on_time for m in actions.months], "--", "s", "#444444"),
            ("Done late", [m.done_late for m in actions.months], ":", "^", "#1f5fa0"),
        )
        for name, values, style, marker, colour in series:
            axes.plot(range(len(values)), values, linestyle=style, marker=marker, color=colour,
                      markersize=5, linewidth=1.8, label=name)
        top = max([1, *(value for _n, values, *_ in series for value in values)])
        axes.set_ylim(0, top * 1.25)
        _months_axis(axes, labels)
        axes.set_ylabel("actions")
        axes.set_title("Improvement-plan actions", fontsize=11)
        _legend_below(axes)
        return _png(figure)


def figure_alt_text(section: FigureSection) -> str:
    """What the chart shows, in words, for a screen reader (the table below has every value)."""
    spec = section.spec
    known = [value for value in section.values if value.value is not None]
    parts = [f"Line chart of {spec.title.lower()} at each month end from "
             f"{section.values[0].label} to {section.values[-1].label}."]
    if known:
        parts.append(f"From {value_text(known[0].value, spec.unit)} in {known[0].label} to "
                     f"{value_text(section.latest.value, spec.unit)} in {section.latest.label}.")
    missing = len(section.values) - len(known)
    if missing:
        parts.append(f"{missing} month(s) with no data.")
    if section.england is not None:
        parts.append(f"England: {value_text(section.england, spec.unit)}.")
    if section.target is not None:
        parts.append(f"Target: {value_text(section.target, spec.unit)}.")
    return " ".join(parts)


def actions_alt_text(actions: ActionsSection) -> str:
    last = actions.months[-1]
    return (f"Line chart of improvement-plan actions overdue, done on time and done late at each "
            f"month end from {actions.months[0].label} to {last.label}; at {last.label}: "
            f"{last.overdue} overdue, {last.done_on_time} done on time, {last.done_late} done "
            f"late, {last.not_yet_due} not yet due.")


__all__ = ["actions_alt_text", "actions_chart_png", "figure_alt_text", "figure_chart_png"]
