"""What every template era provides to the parser (`TemplateEra`), and the shared vocabulary."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.checks import Relation, SumGroup
from pipeline.codebook import Codebook, load_codebook
from pipeline.grid import TableGrid
from pipeline.matcher import Key, MatchResult
from pipeline.numbers import label_key
from pipeline.readers import Document
from pipeline.report import Check, Fact


@dataclass(frozen=True)
class Code:
    """A code of the data contract with its English and Chinese descriptions."""

    code: str
    description: str
    description_zh: str


class TemplateEra:
    """One era of the report format. Subclasses fill in the class attributes and methods.

    The parser runs the same sequence for every era: ``match`` the document, build one fact per
    codebook cell, ``check`` the facts, then OCR evidence from the matched cells' grid positions and
    ``rule_cells``.
    """

    name: str  # the template code in the data ("2021"); its codebook is codebook-<name>.csv
    description: Code  # what the code means, for the data contract (datapackage, docs)
    sections: tuple[Code, ...] = ()  # the `facts.section` codes this era introduces
    rules: tuple[Code, ...] = ()  # the `checks.rule` codes of this era, in the order they run
    evidence_labels: tuple[str, ...] = ()  # labels only this era's tables carry (detection)
    # Fewer matched cells than this and the document is not of this era after all: it is read as
    # `fallback` instead (or as no template when there is none).
    min_cells: int = 0
    fallback: str | None = None

    @property
    def codebook(self) -> Codebook:
        return load_codebook(self.name)

    def evidence(self, grids: list[TableGrid], label_keys: str) -> list[str]:
        """The labels of this era found among the grids' label keys (joined by newlines)."""
        return [label for label in self.evidence_labels if label_key(label) in label_keys]

    def assumed(self, label_keys: set[str]) -> list[str]:
        """Evidence for taking this era when no era's own labels were found (none by default)."""
        return []

    def match(self, document: Document) -> MatchResult:
        """Every cell of the era's tables the document publishes."""
        return self.match_grids(document.tables)

    def match_grids(self, grids: list[TableGrid]) -> MatchResult:
        raise NotImplementedError

    def template_evidence(self, detected: list[str], matched: MatchResult) -> list[str]:
        """What the report records as the evidence of its template."""
        return detected

    def sum_groups(self) -> list[SumGroup]:
        return []

    def relations(self) -> list[Relation]:
        return []

    def check(self, facts: dict[Key, Fact]) -> list[Check]:
        """The era's rules on the facts (blank cells a rule proves zero get their imputed value)."""
        return []

    def rule_cells(self) -> dict[tuple[str, str], list[Key]]:
        """(rule, scope) -> the cells of that rule instance (a failed rule after OCR flags them all)."""
        cells = {(g.rule, g.scope): [g.total, *g.parts] for g in self.sum_groups()}
        for r in self.relations():
            cells.setdefault((r.rule, r.scope), [*r.left, *r.right])
        return cells
