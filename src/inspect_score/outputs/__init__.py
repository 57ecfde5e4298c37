"""Writing results: all-or-nothing staging, CSV, JSON, the workbook and the
terminal ranking.
"""
