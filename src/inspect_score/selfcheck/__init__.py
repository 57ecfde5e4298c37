"""For branches before the review (自查自评): the fill-in form, explanations, the
path to the next grade, and self-assessment against the inspection.
"""
