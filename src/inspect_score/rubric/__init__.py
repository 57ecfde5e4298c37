"""The rubric (考评细则): its model as frozen attrs classes, and the TOML loader that
checks it. Knows nothing of checklists or scores.
"""
