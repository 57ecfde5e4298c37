"""For inspection teams after the run: the bulletin (通报), the rectification list
(整改清单) and period-to-period trends.
"""
