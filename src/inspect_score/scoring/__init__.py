"""From checklists to results: rules, points, rounding, ranking and grades,
findings (the points lost, in words) and the per-item summary.
"""
