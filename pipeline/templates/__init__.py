"""Template eras: one module per era of the national report format, listed in `registry`.

Each era module holds all that era knows: its codebook (``pipeline/data/codebook-<era>.csv``),
the labels that identify it, how its tables are matched, its rules and the cells each rule
covers. The recipe for a new era is in docs/templates.md.
"""
