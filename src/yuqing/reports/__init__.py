"""Briefings (舆情报告): daily, weekly, monthly, special (one event) and case-review reports.

``build_report`` (reports/build.py) turns stored data into a :class:`Report`
(reports/model.py) written only from templates and data; renderers write it
as HTML, PDF, DOCX or XLSX (``render`` in reports/formats.py); the evidence
(quoted item keys and text hashes) is stored by ``save_report``.
"""
