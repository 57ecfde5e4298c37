"""Reading what branches submit: file formats (CSV, XLSX, TOML, folders), cell
parsing, and the checklist table handed to scoring.
"""
