"""The template eras, newest first: one line per era (docs/templates.md has the recipe)."""

from __future__ import annotations

from pipeline.grid import TableGrid
from pipeline.numbers import label_key
from pipeline.templates import era2014, era2019, era2021, legacy
from pipeline.templates.era import Code, TemplateEra

ERAS: dict[str, TemplateEra] = {
    era.name: era
    for era in (
        era2021.ERA,
        era2019.ERA,
        era2014.ERA,
        legacy.ERA,
    )
}
# The era of a document whose tables carry no era's labels: local tables and prose.
UNIDENTIFIED = legacy.ERA.name


def template_codes() -> tuple[Code, ...]:
    """Every `template` code of the data, newest era first."""
    return tuple(era.description for era in ERAS.values())


def section_codes() -> tuple[Code, ...]:
    """Every `facts.section` code, in era order (sections two eras share listed once)."""
    return tuple({c.code: c for era in ERAS.values() for c in era.sections}.values())


def rule_codes() -> tuple[Code, ...]:
    """Every `checks.rule` code, in era order (rules two eras share listed once)."""
    return tuple({c.code: c for era in ERAS.values() for c in era.rules}.values())


def detect_template(grids: list[TableGrid]) -> tuple[str | None, list[str]]:
    """The template era from the labels the tables carry, never from the year or a cited notice.

    The era with the most of its own labels wins (ties: the newer era); with none, an era may
    still be assumed from labels all national eras share.
    """
    texts = {cell.text for grid in grids for row in grid.rows for cell in row}  # span copies, "0"s: once
    keys = {label_key(text) for text in texts if text.strip()}
    joined = "\n".join(keys)
    found = {name: era.evidence(grids, joined) for name, era in ERAS.items()}
    best = max(found, key=lambda name: len(found[name]))
    if found[best]:
        return best, found[best]
    for name, era in ERAS.items():
        if assumed := era.assumed(keys):
            return name, assumed
    return None, []
