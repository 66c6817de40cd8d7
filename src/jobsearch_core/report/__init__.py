"""The HTML report: one self-contained page of the whole search, with a replay control.

Its sections come from plugins (the built-in ones too) through the
`register_report_sections` hook: each is a `ReportSection` whose `render` turns the
views' answers at one moment into `Table` and `Lines` blocks.
"""

from __future__ import annotations

from jobsearch_core.report.page import report_html
from jobsearch_core.report.sections import Block, Column, Lines, Render, ReportSection, Row, Table

__all__ = ["Block", "Column", "Lines", "Render", "ReportSection", "Row", "Table", "report_html"]
