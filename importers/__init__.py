"""Importers: CSV and XLSX readers, one validator per kind, and the all-or-nothing loader.

    report = import_file(session, "staff", Path("staff.xlsx"), today=date.today())
    print(report.summary())

Kinds and their columns are SPEC section 5's. A whole extract folder loads in one transaction,
in dependency order, with `importers.folder.import_folder` (`python bot.py import DIR`).
"""

from importers.loader import KINDS, import_file, import_rows
from importers.report import ImportReport, Problem

__all__ = ["KINDS", "ImportReport", "Problem", "import_file", "import_rows"]
