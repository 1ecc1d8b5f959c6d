"""A report a person can hand on: one self-contained HTML page for a run, sweep or sensitivity
folder (the question and the answer first, then the figures, every quarter and what was run).

It reads folders (:mod:`sim.io`, the sweep and sensitivity readers) and draws figures
(:mod:`sim.plots`), so it sits above both, like the command line.

>>> from sim.report import write_report
>>> write_report("outputs/xiaomi_su7")  # -> outputs/xiaomi_su7.html
"""

from sim.report.api import report_html, write_report

__all__ = ["report_html", "write_report"]
