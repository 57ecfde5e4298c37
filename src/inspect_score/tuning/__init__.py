"""For offices tuning a rubric: comparing two rubrics, sensitivity to weights,
the rubric lint and the charts.
"""
