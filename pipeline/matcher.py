"""The one matcher from table grids to codebook cells, by labels, never by position.

All grids of a document are read as one stream of rows. Header rows (column labels, no numbers)
set the table context and the column mapping; data rows are recognised by their row label and
their values are assigned to columns through that mapping. Aligned grids map columns by index
(span-expanded header stacks); flattened grids (plain text) map the trailing values of a row to
the header's leaf labels from the right.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple, TypeVar

from pipeline.codebook import REQUEST_COLUMNS, REVIEW_COLUMNS, REVIEW_ITEMS, Codebook
from pipeline.grid import GridCell, TableGrid
from pipeline.numbers import CellValue, label_key, read_cell
from pipeline.report import KIND_NOT_APPLICABLE, KIND_NUMBER, KIND_TEXT

Key = tuple[str, str, str]
_K = TypeVar("_K")
_V = TypeVar("_V")
Patterns = tuple[tuple[str, str], ...]  # (code, regular expression), most specific first

ACTIVE, REQUESTS, REVIEW = "active_disclosure", "requests", "review_litigation"

# A label this close to exactly one template label (difflib ratio, 0..1) is read as that label
# when no pattern finds it (a published typo); a second candidate within the margin makes it
# ambiguous. Labels shorter than the minimum are too short to tell typos from other words.
APPROXIMATE_RATIO = 0.75
APPROXIMATE_MARGIN = 0.2
_APPROXIMATE_MIN_CHARS = 4
TEXT_FALLBACK = "text fallback"  # the source of the grid flattened_text_grid makes


@dataclass(frozen=True)
class TableLabels:
    """The label patterns of a national template's tables 二, 三 and 四 (its era module's knowledge).

    Row patterns are matched on the last label cell of a row, then on the whole label; leaf and
    group patterns on the header stack of a column.
    """

    active_rows: Patterns
    active_columns: Patterns
    request_rows: Patterns
    request_leaves: Patterns
    request_groups: re.Pattern[str]  # heads over the applicant columns
    extra_leaf: re.Pattern[str]  # columns some local tables add (法人小计): skipped, not shifted into
    review_groups: Patterns
    review_leaves: Patterns
    review_markers: re.Pattern[str]
    active_markers: re.Pattern[str]
    request_heads: tuple[str, ...]  # leaf labels that alone say a header is table 三's
    review_head: str  # the group label over the two litigation groups ("行政诉讼")


class GridPosition(NamedTuple):
    """Where a matched value was published: the index of its grid among the grids matched, and the
    (row, col) origin of its cell in that grid (the top-left of its span)."""

    table: int
    row: int
    col: int


@dataclass(slots=True)
class MatchedCell:
    key: Key
    raw: str
    raw_label: str
    cell: CellValue
    # None for cells not read from one of the document's grids (the text fallback, prose).
    position: GridPosition | None = None


@dataclass
class MatchResult:
    cells: dict[Key, MatchedCell] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Header:
    table: str
    by_column: dict[int, str]  # aligned: column index -> column code ("" for a skipped extra column)
    leaves: list[str]  # flattened: column codes in reading order ("" for skipped extras)


# A value cell of a row: (column code, published text, origin of the cell in its grid).
_Value = tuple[str, str, tuple[int, int]]


@lru_cache(maxsize=65536)
def _first(patterns: Patterns, key: str) -> str | None:
    """The code of the first pattern found in a label (memoised: tables repeat their labels)."""
    for code, pattern in patterns:
        if re.search(pattern, key):
            return code
    return None


_NUMBERING = re.compile(r"^([一二三四五六七八九十\d]+[,.]|\([一二三四五六七八九十\d]+\))")


_NUMBERED_TAIL = re.compile(r"(?<=[^\d.])\d{1,2}\.(?!\d).+$")


def _strip_numbering(key: str) -> str:
    """'三、本年度办理结果' -> '本年度办理结果'; '4、' (Word numbering) and '(一)' prefixes go too."""
    return _NUMBERING.sub("", key)


class _LabelMemo:
    """What one template's labels say about the labels documents publish, remembered across
    documents: tables repeat their labels, so each distinct label meets the patterns once."""

    def __init__(self, codebook: Codebook, labels: TableLabels) -> None:
        self.codebook = codebook
        self.labels = labels
        self.valid = frozenset(codebook.keys)
        self.items = {section: frozenset(codebook.items(section)) for section in (ACTIVE, REQUESTS, REVIEW)}
        self._header_labels: dict[str, bool] = {}
        self._row_items: dict[str, tuple[str, str] | None] = {}
        self._row_label_items: dict[tuple[str, ...], tuple[str, str] | None] = {}

    def header_label(self, key: str) -> bool:
        """A label key that is one of the template's column or group labels."""
        known = self._header_labels.get(key)
        if known is None:
            known = _remember(self._header_labels, key, self._find_header_label(key))
        return known

    def _find_header_label(self, key: str) -> bool:
        key = _strip_numbering(key)
        labels = self.labels
        return bool(
            _first(labels.request_leaves, key)
            or labels.request_groups.search(key)
            or labels.extra_leaf.search(key)
            or _first(labels.review_groups, key)
            or key == labels.review_head
            or _first(labels.review_leaves, key)
            or labels.active_markers.search(key)
            or _first(labels.active_columns, key)
        )

    def row_item(self, key: str) -> tuple[str, str] | None:
        """(section, item) of a row label key, if it is one of the template's rows."""
        if key in self._row_items:
            return self._row_items[key]
        return _remember(self._row_items, key, self._find_row_item(key))

    def _find_row_item(self, key: str) -> tuple[str, str] | None:
        base = _strip_numbering(key)
        for section, patterns in ((REQUESTS, self.labels.request_rows), (ACTIVE, self.labels.active_rows)):
            for candidate in (base, key):
                item = _first(patterns, candidate)
                if item and item in self.items[section]:
                    return section, item
        return None

    def row_label_item(self, labels: tuple[str, ...]) -> tuple[str, str] | None:
        """The item of a row from its label cells: the last (most specific) first, then all."""
        if labels in self._row_label_items:
            return self._row_label_items[labels]
        found = None
        for text in [*reversed(labels), "".join(labels)]:
            found = self.row_item(label_key(text))
            if found:
                break
        return _remember(self._row_label_items, labels, found)


_MEMO_MAX = 65536  # distinct labels remembered per template (a bound for crawls of odd tables)
_MEMOS: dict[tuple[int, int], _LabelMemo] = {}


def _remember(memo: dict[_K, _V], key: _K, value: _V) -> _V:
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    memo[key] = value
    return value


def _label_memo(codebook: Codebook, labels: TableLabels) -> _LabelMemo:
    """The memo of a codebook and its labels (the memo holds both, so their ids stay theirs)."""
    memo = _MEMOS.get((id(codebook), id(labels)))
    if memo is None:
        if len(_MEMOS) >= 64:  # eras are few; tests that make up codebooks must not grow this
            _MEMOS.clear()
        memo = _MEMOS[id(codebook), id(labels)] = _LabelMemo(codebook, labels)
    return memo


class _Matcher:
    def __init__(self, codebook: Codebook, labels: TableLabels) -> None:
        self.codebook = codebook
        self.labels = labels
        self.memo = _label_memo(codebook, labels)
        self.valid = self.memo.valid
        self.result = MatchResult()
        self.header: _Header | None = None
        self.pending_header: list[list[GridCell]] = []
        self.pending_aligned = True
        self.table = 0
        self.prose = False

    # -- rows ---------------------------------------------------------------------------------
    def feed(self, grid: TableGrid, table: int) -> None:
        self.table = table
        # Lines of the text fallback are mostly prose: a sentence with a number is no typo'd row.
        self.prose = grid.source == TEXT_FALLBACK
        for row in grid.rows:
            cells = _distinct(row) if grid.aligned else row
            texts = [c.text for c in cells]
            if not any(map(str.strip, texts)) and not (self.header and self.header.table == REVIEW):
                continue
            if self._is_header(texts):
                if not self.pending_header:
                    self.pending_aligned = grid.aligned
                self.pending_header.append(row if grid.aligned else cells)
                continue
            if self.pending_header:
                self.header = self._build_header(self.pending_header, self.pending_aligned)
                self.pending_header = []
            self._data_row(row, cells, texts, grid.aligned)
        # A header block never followed by data in this grid still holds for the next part.
        if self.pending_header:
            self.header = self._build_header(self.pending_header, self.pending_aligned)
            self.pending_header = []

    def _is_header(self, texts: list[str]) -> bool:
        if any(read_cell(t).kind == KIND_NUMBER for t in texts):
            return False
        keys = [label_key(t) for t in texts if t.strip()]
        labels = sum(map(self.memo.header_label, keys))
        if labels >= 2:
            return True
        return labels == 1 and all(self.memo.row_item(k) is None for k in keys)

    def _approximate_item(self, labels: list[str]) -> tuple[str, str] | None:
        """A row whose last label no pattern finds, read as the one template row it is close to."""
        published = labels[-1].strip()
        key = label_key(published)
        # Characters of a neighbouring cell glued before the row's numbering ("结果2.其他…" from a
        # vertical label beside it) are no part of the label.
        numbered = _NUMBERED_TAIL.search(key)
        found, warning = approximate_label(
            self.codebook, _strip_numbering(numbered.group(0) if numbered else key)
        )
        if warning:
            self.result.warnings.append(warning.format(published=published))
        return found

    def _data_row(self, row: list[GridCell], cells: list[GridCell], texts: list[str], aligned: bool) -> None:
        published, trailing = _split_trailing(cells, texts)
        item = self.memo.row_label_item(published)
        labels: Sequence[str] = published
        if item is None and any(label_key(t) for t in labels):
            if self.prose or not any(read_cell(t).kind == KIND_NUMBER for _, t, _ in trailing):
                return  # a row of prose or of a table we do not know
            item = self._approximate_item([t for t in labels if label_key(t)])
            if item is None:
                return
        # A row with values but no label is table 四's single data row.
        section, item_code = item or (REVIEW, "")
        header = self.header if self.header and self.header.table == section else None
        values: list[_Value] | None = None
        if aligned and header and header.by_column:
            aligned_labels, aligned_values = _split_aligned(row, header.by_column)
            if aligned_labels is not None:
                labels, values = aligned_labels, aligned_values
        if values is None:
            values = self._assign_flat(trailing, header, section, item_code)
        label = " / ".join(t for t in labels if t.strip())
        for code, text, origin in values:
            if not code:
                continue  # a column the national template does not have (法人小计)
            if section == REVIEW:
                review_item, _, column = code.partition(":")
                self._store((REVIEW, review_item, column), text, label, origin)
            else:
                self._store((section, item_code, code), text, label, origin)

    def _assign_flat(
        self, values: list[_Value], header: _Header | None, section: str, item: str
    ) -> list[_Value]:
        """Map trailing values to the header's leaves from the right (the right edge lines up)."""
        leaves = header.leaves if header and header.leaves else self._canonical(section, item)
        kept = values[-len(leaves) :]
        return (
            [(code, text, origin) for code, (_, text, origin) in zip(leaves[-len(kept) :], kept, strict=True)]
            if kept
            else []
        )

    def _store(self, key: Key, text: str, label: str, origin: tuple[int, int]) -> None:
        if key not in self.valid:
            return
        cell = read_cell(text)
        previous = self.result.cells.get(key)
        if previous is not None:
            if previous.cell.value != cell.value and cell.kind == KIND_NUMBER:
                self.result.warnings.append(
                    f"duplicate_cell: {'/'.join(key)} published twice "
                    f"({previous.raw!r} and {text!r}); kept the first"
                )
            return
        self.result.cells[key] = MatchedCell(key, text, label, cell, GridPosition(self.table, *origin))

    # -- headers ------------------------------------------------------------------------------
    def _build_header(self, rows: list[list[GridCell]], aligned: bool) -> _Header:
        keys_all = [label_key(c.text) for row in rows for c in row if c.text.strip()]
        table = self._header_table(keys_all, self.header.table if self.header else None)
        if aligned:
            by_column = self._columns_aligned(rows, table)
            leaves = _dedupe([by_column[c] for c in sorted(by_column)])
        else:
            by_column, leaves = {}, self._leaves_flat(keys_all, table)
        expected = self._complete_columns(table)
        if expected and not expected <= set(leaves):
            # A header we only half understood must not shift values into the wrong columns:
            # read the rows in template order instead, aligned on their right edge.
            self.result.warnings.append(f"header_not_understood: {table} columns read in template order")
            return _Header(table, {}, self._canonical(table, ""))
        return _Header(table, by_column, leaves)

    def _columns_aligned(self, rows: list[list[GridCell]], table: str) -> dict[int, str]:
        width = max(len(r) for r in rows)
        out: dict[int, str] = {}
        for c in range(width):
            stack = _dedupe([label_key(r[c].text) for r in rows if c < len(r) and r[c].text.strip()])
            code = self._column_code(stack, table)
            if code is not None:
                out[c] = code
        return out

    def _column_code(self, stack: list[str], table: str) -> str | None:
        """The column code of a header stack (top to bottom), or "" for a recognised extra column."""
        if not stack:
            return None
        labels = self.labels
        candidates = [stack[-1]]
        if len(stack) >= 2:
            candidates.append(stack[-2] + stack[-1])  # "商业" over "企业" (quirk 3)
        if table == REQUESTS:
            for key in candidates:
                code = _first(labels.request_leaves, key)
                if code:
                    return code
            return "" if any(labels.extra_leaf.search(k) for k in candidates) else None
        if table == REVIEW:
            group = next((g for k in stack if (g := _first(labels.review_groups, k))), None)
            leaf = _first(labels.review_leaves, stack[-1])
            if group and leaf:
                return f"{group}:{leaf}"
            return None
        return next((code for k in reversed(stack) if (code := _first(labels.active_columns, k))), None)

    def _leaves_flat(self, keys: list[str], table: str) -> list[str]:
        labels = self.labels
        if table == REQUESTS:
            children, has_natural, has_total = [], False, False
            for key in keys:
                code = _first(labels.request_leaves, key)
                if code == "natural_person":
                    has_natural = True
                elif code == "total":
                    has_total = True
                elif code:
                    children.append(code)
                elif labels.extra_leaf.search(key) and not labels.request_groups.search(key):
                    children.append("")
            merged = [code for i, code in enumerate(children) if code == "" or code not in children[:i]]
            return ["natural_person"] * has_natural + merged + ["total"] * has_total
        if table == REVIEW:
            return self._review_codes()
        return _dedupe([code for k in keys if (code := _first(labels.active_columns, k))])

    def _header_table(self, keys: list[str], previous: str | None) -> str:
        labels = self.labels
        if any(_first(labels.review_groups, k) or k == labels.review_head for k in keys):
            return REVIEW
        if any(labels.request_groups.search(k) or k in labels.request_heads for k in keys):
            return REQUESTS
        if any(labels.active_markers.search(k) for k in keys):
            return ACTIVE
        if any(labels.review_markers.search(k) for k in keys):
            return REVIEW
        return previous or ACTIVE

    def _complete_columns(self, table: str) -> set[str]:
        """The columns a header of this table must yield to be trusted (none for table 二's varied heads)."""
        if table == REQUESTS:
            return set(REQUEST_COLUMNS)
        if table == REVIEW:
            return set(self._review_codes())
        return set()

    def _review_codes(self) -> list[str]:
        return [f"{item}:{column}" for item in REVIEW_ITEMS for column in REVIEW_COLUMNS]

    def _canonical(self, section: str, item: str) -> list[str]:
        """Template column order, used only where a table reached us without its header."""
        if section == REQUESTS:
            return list(REQUEST_COLUMNS)
        if section == REVIEW:
            return self._review_codes()
        return [c.column for c in self.codebook.cells if c.section == section and c.item == item]


def approximate_label(codebook: Codebook, key: str) -> tuple[tuple[str, str] | None, str]:
    """(section, item) of the one row label of the codebook a published label is close to, and a
    warning with ``{published}`` left for the caller: what was read as what, or why not."""
    if len(key) < _APPROXIMATE_MIN_CHARS:
        return None, ""
    ranked = _ranked_row_labels(codebook, key)
    if not ranked or ranked[0][0] < APPROXIMATE_RATIO:
        return None, ""
    (ratio, label, found), second = ranked[0], ranked[1] if len(ranked) > 1 else None
    if second is not None and second[0] > ratio - APPROXIMATE_MARGIN:
        return None, (
            f"label_ambiguous: {{published!r}} is close to both {label!r} and {second[1]!r}; not matched"
        )
    return found, f"label_approximate: {{published!r}} read as the template's {label!r} ({'/'.join(found)})"


_RANKED: dict[tuple[str, str], list[tuple[float, str, tuple[str, str]]]] = {}
_ROW_LABELS: dict[str, list[tuple[str, str, tuple[str, str]]]] = {}
_RANKED_MAX = 4096  # published labels remembered (tables repeat them across documents)


def _ranked_row_labels(codebook: Codebook, key: str) -> list[tuple[float, str, tuple[str, str]]]:
    """Template row labels by their closeness to a published one (distinct labels, best first)."""
    memo = (codebook.template, key)
    if memo not in _RANKED:
        if len(_RANKED) >= _RANKED_MAX:
            _RANKED.clear()
        if codebook.template not in _ROW_LABELS:
            _ROW_LABELS[codebook.template] = _row_labels(codebook)
        scored = [
            (SequenceMatcher(None, key, row_key, autojunk=False).ratio(), label, found)
            for row_key, label, found in _ROW_LABELS[codebook.template]
        ]
        _RANKED[memo] = sorted(scored, key=lambda s: -s[0])
    return _RANKED[memo]


def _row_labels(codebook: Codebook) -> list[tuple[str, str, tuple[str, str]]]:
    """(label key, label, (section, item)) of every row of tables 二 and 三 of a codebook.

    The row's own words: the last part of the codebook's item label, without its numbering and
    its parenthesised note ("（二）部分公开（区分处理的，…）" -> "部分公开").
    """
    out: dict[tuple[str, str], tuple[str, str, tuple[str, str]]] = {}
    for cell in codebook.cells:
        if cell.section not in (ACTIVE, REQUESTS):
            continue
        words = re.sub(r"[（(][^）)]*[）)]$", "", cell.item_label.split("/")[-1])
        key = label_key(words)
        while (stripped := _strip_numbering(key)) != key:
            key = stripped
        out.setdefault((cell.section, cell.item), (key, words.strip(), (cell.section, cell.item)))
    return list(out.values())


def _distinct(row: list[GridCell]) -> list[GridCell]:
    """A row's cells with horizontal span copies dropped (vertical copies kept: they are context)."""
    out: list[GridCell] = []
    previous = None
    for cell in row:
        if cell.origin != previous:
            out.append(cell)
        previous = cell.origin
    return out


def _split_trailing(cells: list[GridCell], texts: list[str]) -> tuple[tuple[str, ...], list[_Value]]:
    """Flattened rows: the values are the value-like cells at the right end, the rest is the label."""
    i = len(texts)
    while i > 0 and read_cell(texts[i - 1]).kind != KIND_TEXT:
        i -= 1
    return tuple(texts[:i]), [("", c.text, c.origin) for c in cells[i:]]


def _split_aligned(row: list[GridCell], by_column: dict[int, str]) -> tuple[list[str] | None, list[_Value]]:
    """Aligned rows: cells under mapped columns are values, the others the label.

    Returns a None label when the row does not fit the header (a value column holding label
    text), so the caller falls back to reading it as a flattened row.
    """
    labels: list[str] = []
    values: list[_Value] = []
    seen: set[tuple[int, int]] = set()
    for c, cell in enumerate(row):
        origin = cell.origin
        if origin in seen:
            continue
        seen.add(origin)
        code = by_column.get(c)
        if code is not None:
            if read_cell(cell.text).kind == KIND_TEXT and label_key(cell.text):
                return None, []
            values.append((code, cell.text, origin))
        elif cell.text.strip():
            labels.append(cell.text)
    return _dedupe(labels), values


def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if not out or out[-1] != item:
            out.append(item)
    return out


def match_grids(grids: list[TableGrid], codebook: Codebook, labels: TableLabels) -> MatchResult:
    """Map every cell the grids publish to its codebook key (positions index into `grids`)."""
    matcher = _Matcher(codebook, labels)
    for table, grid in enumerate(grids):
        matcher.feed(grid, table)
    return matcher.result


def flattened_text_grid(text: str) -> TableGrid:
    """The text fallback: tables that lost their markup, read as label/number sequences."""
    rows: list[list[str]] = []
    current: list[str] = []
    previous_was_value = False
    for line in text.splitlines():
        for token in re.split(r"\s*\|\s*|\t+|\s{2,}", line.strip()):
            if not token:
                continue
            value_like = read_cell(token).kind in (KIND_NUMBER, KIND_NOT_APPLICABLE)
            if not value_like and previous_was_value:
                rows.append(current)
                current = []
            current.append(token)
            previous_was_value = value_like
    rows.append(current)
    return TableGrid.from_rows([r for r in rows if r], aligned=False, source=TEXT_FALLBACK)
