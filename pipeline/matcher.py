"""The one matcher from table grids to codebook cells, by labels, never by position.

All grids of a document are read as one stream of rows. Header rows (column labels, no numbers)
set the table context and the column mapping; data rows are recognised by their row label and
their values are assigned to columns through that mapping. Aligned grids map columns by index
(span-expanded header stacks); flattened grids (plain text) map the trailing values of a row to
the header's leaf labels from the right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.codebook import REQUEST_COLUMNS, REVIEW_COLUMNS, REVIEW_ITEMS, load_codebook
from pipeline.grid import GridCell, TableGrid
from pipeline.numbers import CellValue, label_key, read_cell
from pipeline.report import KIND_NUMBER, KIND_TEXT

Key = tuple[str, str, str]

ACTIVE, REQUESTS, REVIEW = "active_disclosure", "requests", "review_litigation"

# Row labels, most specific first; matched on the last label cell of a row, then on the whole label.
_REQUEST_ROWS: tuple[tuple[str, str], ...] = (
    ("new_requests", r"本年新收|新收.*申请"),
    ("carried_over", r"上年结转"),
    ("carried_forward", r"结转下年|结转到下年|下年度继续办理"),
    ("partially_disclosed", r"部分公开"),
    ("disclosed", r"予以公开"),
    ("withheld_state_secret", r"国家秘密"),
    ("withheld_prohibited_by_law", r"禁止公开"),
    ("withheld_security_stability", r"三安全一稳定|国家安全|公共安全"),
    ("withheld_third_party", r"第三方"),
    ("withheld_internal_affairs", r"内部事务"),
    ("withheld_process_info", r"过程性"),
    ("withheld_enforcement_files", r"执法案卷"),
    ("withheld_inquiry_matter", r"查询事项"),
    ("unavailable_not_held", r"不掌握"),
    ("unavailable_needs_creation", r"另行制作"),
    ("unavailable_unclear", r"仍不明确|补正后"),
    ("not_processed_petition", r"信访|举报投诉"),
    ("not_processed_duplicate", r"重复申请"),
    ("not_processed_publication", r"出版物"),
    ("not_processed_excessive", r"大量反复"),
    ("not_processed_confirmation", r"重新出具|确认.*已获取"),
    ("other_no_correction", r"不补正"),
    ("other_unpaid_fee", r"缴纳费用|收费通知"),
    ("other_handling", r"^(\([六6]\))?其他处理$"),
    ("other_other", r"^(\d+\.?)?其他(情形)?$"),
    ("results_total", r"^(\([七7]\))?[总合]计$"),
)
_ACTIVE_ROWS: tuple[tuple[str, str], ...] = (
    ("normative_documents", r"规范性文件"),
    ("rules", r"规章"),
    ("administrative_licensing", r"行政许可"),
    ("other_management_services", r"其他对外管理服务"),
    ("administrative_penalty", r"行政处罚"),
    ("administrative_coercion", r"行政强制"),
    ("administrative_fees", r"事业性收费"),
    ("government_procurement", r"集中采购|政府采购"),
)
_ACTIVE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "2021": (
        ("issued", r"制发"),
        ("repealed", r"废止"),
        ("in_force", r"现行有效"),
        ("decisions", r"处理决定"),
        ("amount", r"收费金额|金额"),
    ),
    "2019": (
        ("newly_made", r"新制作"),
        ("newly_published", r"新公开"),
        ("total_published", r"公开总数"),
        ("items_last_year", r"上一?年.*项目"),
        ("items_change", r"增/?减"),
        ("decisions", r"处理决定"),
        ("projects", r"采购项目"),
        ("amount", r"总金额|金额"),
    ),
}
_REQUEST_LEAVES: tuple[tuple[str, str], ...] = (
    ("natural_person", r"^自然人$"),
    ("commercial_enterprise", r"^商业企业$"),
    ("research_institution", r"^科研机构$"),
    ("social_welfare_organization", r"^社会公益组织$"),
    ("legal_service_organization", r"^法律服务机构$"),
    ("other_organization", r"^其他(组织)?$"),
    ("total", r"^[总合]计$"),
)
# Columns some local tables add (a 法人小计); recognised so that they are skipped, not shifted into.
_EXTRA_LEAF = re.compile(r"小计|合计$")
_REQUEST_GROUPS = re.compile(r"^(法人或其他组织|法人和其他组织|申请人情况)$")
_REVIEW_GROUPS: tuple[tuple[str, str], ...] = (
    ("litigation_after_review", r"复议后起诉"),
    ("litigation_direct", r"直接起诉|未经复议"),
    ("administrative_review", r"^行政复议$"),
)
_REVIEW_LEAVES: tuple[tuple[str, str], ...] = (
    ("upheld", r"维持"),
    ("corrected", r"纠正"),
    ("other", r"^(结果)?其他(结果)?$"),
    ("pending", r"审结"),
    ("total", r"^[总合]计$"),
)
_REVIEW_MARKERS = re.compile(r"行政复议|行政诉讼|维持|纠正|审结|起诉")
_ACTIVE_MARKERS = re.compile(r"信息内容|第二十条")


@dataclass
class MatchedCell:
    key: Key
    raw: str
    raw_label: str
    cell: CellValue


@dataclass
class MatchResult:
    cells: dict[Key, MatchedCell] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Header:
    table: str
    by_column: dict[int, str]  # aligned: column index -> column code ("" for a skipped extra column)
    leaves: list[str]  # flattened: column codes in reading order ("" for skipped extras)


@lru_cache(maxsize=65536)
def _first(patterns: tuple[tuple[str, str], ...], key: str) -> str | None:
    """The code of the first pattern found in a label (memoised: tables repeat their labels)."""
    for code, pattern in patterns:
        if re.search(pattern, key):
            return code
    return None


def _strip_numbering(key: str) -> str:
    """'三、本年度办理结果' -> '本年度办理结果'; '4、' (Word numbering) and '(一)' prefixes go too."""
    return re.sub(r"^([一二三四五六七八九十\d]+[,.]|\([一二三四五六七八九十\d]+\))", "", key)


class _Matcher:
    def __init__(self, template: str) -> None:
        self.template = template
        self.codebook = load_codebook(template)
        self.valid = set(self.codebook.keys)
        self.items = {section: set(self.codebook.items(section)) for section in (ACTIVE, REQUESTS, REVIEW)}
        self.result = MatchResult()
        self.header: _Header | None = None
        self.pending_header: list[list[GridCell]] = []
        self.pending_aligned = True

    # -- rows ---------------------------------------------------------------------------------
    def feed(self, grid: TableGrid) -> None:
        for row in grid.rows:
            cells = _distinct(row) if grid.aligned else row
            if not any(c.text.strip() for c in cells) and not (self.header and self.header.table == REVIEW):
                continue
            if self._is_header(cells):
                if not self.pending_header:
                    self.pending_aligned = grid.aligned
                self.pending_header.append(row if grid.aligned else cells)
                continue
            if self.pending_header:
                self.header = self._build_header(self.pending_header, self.pending_aligned)
                self.pending_header = []
            self._data_row(row, cells, grid.aligned)
        # A header block never followed by data in this grid still holds for the next part.
        if self.pending_header:
            self.header = self._build_header(self.pending_header, self.pending_aligned)
            self.pending_header = []

    def _is_header(self, cells: list[GridCell]) -> bool:
        keys = [label_key(c.text) for c in cells if c.text.strip()]
        if any(read_cell(c.text).kind == KIND_NUMBER for c in cells):
            return False
        labels = sum(1 for k in keys if _header_label(k, self.template))
        if labels >= 2:
            return True
        return labels == 1 and all(self._row_item(k) is None for k in keys)

    def _row_item(self, key: str) -> tuple[str, str] | None:
        base = _strip_numbering(key)
        for section, patterns in ((REQUESTS, _REQUEST_ROWS), (ACTIVE, _ACTIVE_ROWS)):
            for candidate in (base, key):
                item = _first(patterns, candidate)
                if item and item in self.items[section]:
                    return section, item
        return None

    def _row_label_item(self, labels: list[str]) -> tuple[str, str] | None:
        """The item of a row from its label cells: the last (most specific) first, then all."""
        for text in [*reversed(labels), "".join(labels)]:
            found = self._row_item(label_key(text))
            if found:
                return found
        return None

    def _data_row(self, row: list[GridCell], cells: list[GridCell], aligned: bool) -> None:
        labels, trailing = _split_trailing(cells)
        item = self._row_label_item(labels)
        if item is None and any(label_key(t) for t in labels):
            return  # a row of prose or of a table we do not know
        # A row with values but no label is table 四's single data row.
        section, item_code = item or (REVIEW, "")
        header = self.header if self.header and self.header.table == section else None
        values: list[tuple[str, str]] | None = None
        if aligned and header and header.by_column:
            aligned_labels, aligned_values = _split_aligned(row, header.by_column)
            if aligned_labels is not None:
                labels, values = aligned_labels, aligned_values
        if values is None:
            values = self._assign_flat(trailing, header, section, item_code)
        label = " / ".join(t for t in labels if t.strip())
        for code, text in values:
            if not code:
                continue  # a column the national template does not have (法人小计)
            if section == REVIEW:
                review_item, _, column = code.partition(":")
                self._store((REVIEW, review_item, column), text, label)
            else:
                self._store((section, item_code, code), text, label)

    def _assign_flat(
        self, values: list[tuple[str, str]], header: _Header | None, section: str, item: str
    ) -> list[tuple[str, str]]:
        """Map trailing values to the header's leaves from the right (the right edge lines up)."""
        leaves = header.leaves if header and header.leaves else _canonical(section, item, self.template)
        texts = [t for _, t in values][-len(leaves) :]
        return list(zip(leaves[-len(texts) :], texts, strict=True)) if texts else []

    def _store(self, key: Key, text: str, label: str) -> None:
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
        self.result.cells[key] = MatchedCell(key, text, label, cell)

    # -- headers ------------------------------------------------------------------------------
    def _build_header(self, rows: list[list[GridCell]], aligned: bool) -> _Header:
        keys_all = [label_key(c.text) for row in rows for c in row if c.text.strip()]
        table = _header_table(keys_all, self.header.table if self.header else None)
        if aligned:
            by_column = self._columns_aligned(rows, table)
            leaves = _dedupe([by_column[c] for c in sorted(by_column)])
        else:
            by_column, leaves = {}, self._leaves_flat(keys_all, table)
        expected = _complete_columns(table)
        if expected and not expected <= set(leaves):
            # A header we only half understood must not shift values into the wrong columns:
            # read the rows in template order instead, aligned on their right edge.
            self.result.warnings.append(f"header_not_understood: {table} columns read in template order")
            return _Header(table, {}, _canonical(table, "", self.template))
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
        candidates = [stack[-1]]
        if len(stack) >= 2:
            candidates.append(stack[-2] + stack[-1])  # "商业" over "企业" (quirk 3)
        if table == REQUESTS:
            for key in candidates:
                code = _first(_REQUEST_LEAVES, key)
                if code:
                    return code
            return "" if any(_EXTRA_LEAF.search(k) for k in candidates) else None
        if table == REVIEW:
            group = next((g for k in stack if (g := _first(_REVIEW_GROUPS, k))), None)
            leaf = _first(_REVIEW_LEAVES, stack[-1])
            if group and leaf:
                return f"{group}:{leaf}"
            return None
        return next(
            (code for k in reversed(stack) if (code := _first(_ACTIVE_COLUMNS[self.template], k))), None
        )

    def _leaves_flat(self, keys: list[str], table: str) -> list[str]:
        if table == REQUESTS:
            children, has_natural, has_total = [], False, False
            for key in keys:
                code = _first(_REQUEST_LEAVES, key)
                if code == "natural_person":
                    has_natural = True
                elif code == "total":
                    has_total = True
                elif code:
                    children.append(code)
                elif _EXTRA_LEAF.search(key) and not _REQUEST_GROUPS.search(key):
                    children.append("")
            merged = [code for i, code in enumerate(children) if code == "" or code not in children[:i]]
            return ["natural_person"] * has_natural + merged + ["total"] * has_total
        if table == REVIEW:
            return _review_codes()
        return _dedupe([code for k in keys if (code := _first(_ACTIVE_COLUMNS[self.template], k))])


def _header_label(key: str, template: str) -> bool:
    key = _strip_numbering(key)
    return bool(
        _first(_REQUEST_LEAVES, key)
        or _REQUEST_GROUPS.search(key)
        or _EXTRA_LEAF.search(key)
        or _first(_REVIEW_GROUPS, key)
        or key == "行政诉讼"
        or _first(_REVIEW_LEAVES, key)
        or _ACTIVE_MARKERS.search(key)
        or _first(_ACTIVE_COLUMNS[template], key)
    )


def _header_table(keys: list[str], previous: str | None) -> str:
    if any(_first(_REVIEW_GROUPS, k) or k == "行政诉讼" for k in keys):
        return REVIEW
    if any(_REQUEST_GROUPS.search(k) or k in ("自然人", "商业企业", "科研机构") for k in keys):
        return REQUESTS
    if any(_ACTIVE_MARKERS.search(k) for k in keys):
        return ACTIVE
    if any(_REVIEW_MARKERS.search(k) for k in keys):
        return REVIEW
    return previous or ACTIVE


def _complete_columns(table: str) -> set[str]:
    """The columns a header of this table must yield to be trusted (none for table 二's varied heads)."""
    if table == REQUESTS:
        return set(REQUEST_COLUMNS)
    if table == REVIEW:
        return set(_review_codes())
    return set()


def _review_codes() -> list[str]:
    return [f"{item}:{column}" for item in REVIEW_ITEMS for column in REVIEW_COLUMNS]


def _canonical(section: str, item: str, template: str) -> list[str]:
    """Template column order, used only where a table reached us without its header."""
    if section == REQUESTS:
        return list(REQUEST_COLUMNS)
    if section == REVIEW:
        return _review_codes()
    codebook = load_codebook(template)
    return [c.column for c in codebook.cells if c.section == section and c.item == item]


def _distinct(row: list[GridCell]) -> list[GridCell]:
    """A row's cells with horizontal span copies dropped (vertical copies kept: they are context)."""
    out: list[GridCell] = []
    for c, cell in enumerate(row):
        if c > 0 and row[c - 1].origin == cell.origin:
            continue
        out.append(cell)
    return out


def _split_trailing(cells: list[GridCell]) -> tuple[list[str], list[tuple[str, str]]]:
    """Flattened rows: the values are the value-like cells at the right end, the rest is the label."""
    texts = [c.text for c in cells]
    i = len(texts)
    while i > 0 and read_cell(texts[i - 1]).kind != KIND_TEXT:
        i -= 1
    return texts[:i], [("", t) for t in texts[i:]]


def _split_aligned(
    row: list[GridCell], by_column: dict[int, str]
) -> tuple[list[str] | None, list[tuple[str, str]]]:
    """Aligned rows: cells under mapped columns are values, the others the label.

    Returns a None label when the row does not fit the header (a value column holding label
    text), so the caller falls back to reading it as a flattened row.
    """
    labels: list[str] = []
    values: list[tuple[str, str]] = []
    seen: set[tuple[int, int]] = set()
    for c, cell in enumerate(row):
        if cell.origin in seen:
            continue
        seen.add(cell.origin)
        if c in by_column:
            if read_cell(cell.text).kind == KIND_TEXT and label_key(cell.text):
                return None, []
            values.append((by_column[c], cell.text))
        elif cell.text.strip():
            labels.append(cell.text)
    return _dedupe(labels), values


def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if not out or out[-1] != item:
            out.append(item)
    return out


def match_grids(grids: list[TableGrid], template: str) -> MatchResult:
    """Map every cell the grids publish to its codebook key."""
    matcher = _Matcher(template)
    for grid in grids:
        matcher.feed(grid)
    return matcher.result
