"""THE budgets of the parser: every bound a document can hit, checked before the work it bounds.

A government report is small (a few pages, six tables, a few hundred cells); each default is far
above any real report and far below what would exhaust the machine. A reader that would exceed a
budget raises `BudgetExceeded` naming it, and `parse_report` records the document as failed with
that one-line error. The crawl's own bounds (list pages, hops, URL length) live in
`pipeline.settings`; these are the document's.
"""

from __future__ import annotations

# --- containers (DOCX, XLSX, OFD are zips) --------------------------------------------------------
ZIP_MAX_MEMBERS = 2_000  # files in one archive
ZIP_MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one member, declared and as actually inflated
ZIP_MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all members together, inflated

# --- tables -------------------------------------------------------------------------------------
GRID_MAX_CELLS = 200_000  # rows × columns of one table after spans (HTML, DOCX, XLSX, PDF, OFD)
GRID_MAX_SPAN = 1_000  # one cell's colspan / rowspan / gridSpan / vMerge run / merge extent
NUMBER_MAX_DIGITS = 30  # digits in one numeric cell; a longer run is text, not a count

# --- pages and images -----------------------------------------------------------------------------
PDF_MAX_PAGES = 500  # pages read from one PDF or OFD
IMAGE_MAX_PIXELS = 64_000_000  # decoded pixels of one embedded or stand-alone image
RENDER_MAX_PIXELS = 40_000_000  # pixels of one page rendered for OCR
OCR_MAX_PAGES = 60  # scanned pages recognised in one document
OCR_MAX_SECONDS = 600.0  # OCR time for one document

# --- one document as a whole (enforced on the worker process that parses it) -------------------
PARSE_MAX_SECONDS = 900.0
PARSE_MAX_MEMORY_BYTES = 3 * 1024 * 1024 * 1024


class BudgetExceeded(ValueError):
    """A document needs more than a budget allows; the message names the budget."""

    def __init__(self, budget: str, needed: float, allowed: float) -> None:
        super().__init__(f"budget exceeded: {budget} needs {needed:g}, allowed {allowed:g}")
        self.budget = budget
