"""Statutory visits and plan reviews: when the next one is due, and how late it is (SPEC section 4).

- CP: every ``cp_visit_working_days`` working days (there is no national frequency; councils set
  their own, so it is a setting), counted after the last visit, or after the case start when the
  child has not been visited since the case started.
- CIN: every ``cin_visit_working_days`` working days, counted the same way.
- LAC (Care Planning, Placement and Case Review (England) Regulations 2010, reg 28): within
  ``lac_first_visit_days`` calendar days of the placement starting (the placement start, or the
  case start when no placement start is recorded) unless visited since; then at intervals of at
  most ``lac_first_year_visit_weeks`` weeks during the placement's first year; after the first
  year, at most ``lac_long_term_visit_months`` months where the placement is meant to last until
  the child is 18 (``long_term_placement``), otherwise still ``lac_first_year_visit_weeks`` weeks.
  The interval is the one in force on the day of the last visit: a visit in the first year's last
  week is followed by one within 6 weeks even though that falls in the second year.
- LAC, reg 28's other branches, by the case's optional ``placement_type`` (models.cases):
  ``parent_before_assessment`` (reg 28(3): placed with a parent before the assessment is done,
  reg 19) — weekly (``lac_until_first_review_visit_days``) until the first review, then at most
  ``lac_before_assessment_visit_weeks`` (6) weeks; ``connected_person`` (reg 24: a relative, friend or other
  connected person temporarily approved as foster carer) and ``parent_interim_care_order``
  (living with a parent under an interim care order, Children Act 1989 s.38) (reg 28(4)) —
  weekly until the first review, then at most ``lac_connected_or_ico_visit_weeks`` (4) weeks;
  ``parent_care_order`` (reg 28(5): with a parent under a care order) — within a week of the
  order (the placement start), then at most ``lac_care_order_parent_visit_weeks`` (6) weeks.
  The first review is due ``lac_first_review_working_days`` (20) working days after the child
  became looked after (the case start; reg 33), so a bank holiday moves it, and with it the day
  the weekly visits end. As for the general rule, the interval is the one in force on the day of
  the last visit; the first visit is due within a week of the placement whatever the branch.
- CL, EH, OTHER: no statutory visit rule here (``None``).

Working days are England and Wales working days (queries.calendar). "Today" is always passed in.
"""

from __future__ import annotations

from datetime import date, timedelta

from config import Settings
from queries.calendar import add_working_days
# dateutil's month arithmetic, cached: a team's visit rules run over every open case per answer.
from queries.protection_rules import months_after


def _visited_since(last_visit: date | None, since: date) -> bool:
    return last_visit is not None and last_visit >= since


def first_review_due(case_start: date, settings: Settings) -> date:
    """When a looked-after child's first review is due: ``lac_first_review_working_days``
    working days after they became looked after (reg 33), bank holidays excluded."""
    return add_working_days(case_start, settings.lac_first_review_working_days)


def _weekly_until_first_review(last_visit: date, case_start: date, after_weeks: int,
                               settings: Settings) -> date:
    """Reg 28(3) and (4): weekly until the first review, then every ``after_weeks`` weeks."""
    if last_visit < first_review_due(case_start, settings):
        return last_visit + timedelta(days=settings.lac_until_first_review_visit_days)
    return last_visit + timedelta(weeks=after_weeks)


def visit_due(
    case_type: str,
    last_visit: date | None,
    case_start: date,
    placement_start: date | None,
    long_term_placement: bool,
    settings: Settings,
    placement_type: str | None = None,
) -> date | None:
    """The date by which the next statutory visit is due, or None where no visit rule applies.

    A visit before the case (or, for LAC, the placement) started does not count: the clock runs
    from the later of the two. The visit is on time if made on the due date itself.
    """
    kind = case_type.strip().upper()
    if kind in ("CP", "CIN"):
        working_days = (
            settings.cp_visit_working_days if kind == "CP" else settings.cin_visit_working_days
        )
        counted_from = last_visit if _visited_since(last_visit, case_start) else case_start
        return add_working_days(counted_from, working_days)
    if kind == "LAC":
        placed = placement_start or case_start
        if not _visited_since(last_visit, placed):
            return placed + timedelta(days=settings.lac_first_visit_days)
        assert last_visit is not None
        if placement_type == "parent_before_assessment":
            return _weekly_until_first_review(last_visit, case_start,
                                              settings.lac_before_assessment_visit_weeks, settings)
        if placement_type in ("connected_person", "parent_interim_care_order"):
            return _weekly_until_first_review(last_visit, case_start,
                                              settings.lac_connected_or_ico_visit_weeks, settings)
        if placement_type == "parent_care_order":
            return last_visit + timedelta(weeks=settings.lac_care_order_parent_visit_weeks)
        first_year_ends = months_after(placed, 12)
        if last_visit < first_year_ends or not long_term_placement:
            return last_visit + timedelta(weeks=settings.lac_first_year_visit_weeks)
        return months_after(last_visit, settings.lac_long_term_visit_months)
    return None


def visit_days_overdue(due: date | None, today: date) -> int:
    """Calendar days a visit is overdue on ``today`` (0 when it is not, or when none is due)."""
    if due is None:
        return 0
    return max(0, (today - due).days)


def review_days_overdue(next_review: date | None, today: date) -> int:
    """Calendar days a plan review is overdue: past the due date carried on the case (0 if not)."""
    if next_review is None:
        return 0
    return max(0, (today - next_review).days)


__all__ = ["first_review_due", "review_days_overdue", "visit_days_overdue", "visit_due"]
