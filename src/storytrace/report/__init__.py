"""Outputs: report.json (a contract other tools read) and a self-contained report.html."""

from storytrace.report.json_report import REPORT_VERSION, build_report, write_reports

__all__ = ["REPORT_VERSION", "build_report", "write_reports"]
