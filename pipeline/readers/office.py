"""Legacy Office files in OLE2 containers: .doc and Kingsoft .wps (Word streams), .xls and .et.

Spreadsheets are read directly with python-calamine (merged ranges included). Word-processor
files are converted to DOCX by LibreOffice headless and read by the DOCX reader. Each conversion
runs in its own throw-away LibreOffice profile (parallel workers never share one, a crashed run
leaves nothing behind), under a timeout that kills the whole process group, and its result is
cached by the content hash of the input: a report re-parsed after a parser change is not
converted again.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import subprocess
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import olefile

from pipeline.cache import cache_dir as _cache_dir
from pipeline.cache import write_atomically
from pipeline.grid import GridCell, TableGrid, check_cells
from pipeline.processes import die_with_parent, make_temp_dir, remove_temp_dir
from pipeline.readers import Document, UnreadableDocument

if TYPE_CHECKING:
    from python_calamine import CalamineSheet

CONVERT_TIMEOUT = 120.0  # seconds; a normal report converts in 1–2 s
# LibreOffice export filters by target extension.
_FILTERS = {
    "docx": "docx:MS Word 2007 XML",
    "doc": "doc:MS Word 97",
    "pdf": "pdf:writer_pdf_Export",
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
}
_WORD_STREAMS = ("WordDocument",)
_SHEET_STREAMS = ("Workbook", "Book")


class ConversionError(UnreadableDocument):
    """LibreOffice could not convert the document (missing, failed, or timed out)."""


def cache_dir() -> Path:
    """Where conversions are cached: the "convert" folder of the parser's cache (`pipeline.cache`)."""
    return _cache_dir("convert")


def ole_kind(data: bytes) -> str | None:
    """ "word", "sheet" or None, from the streams of an OLE2 container (never the file name)."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(path) for path in ole.listdir()}
    except (OSError, ValueError) as exc:
        raise UnreadableDocument(f"OLE2 container could not be read: {exc}") from exc
    if any(s in streams for s in _WORD_STREAMS):
        return "word"
    if any(s in streams for s in _SHEET_STREAMS):
        return "sheet"
    return None


def read_ole2(data: bytes) -> Document:
    kind = ole_kind(data)
    if kind == "sheet":
        return read_legacy_sheet(data)
    if kind == "word":
        from pipeline.readers.docx import read_docx

        document = read_docx(convert(data, "docx", source_suffix=".doc"))
        document.format = "doc"
        return document
    raise UnreadableDocument("OLE2 container holds neither a Word nor an Excel stream")


# ---------------------------------------------------------------------------------------------
# Spreadsheets (.xls, .et)
# ---------------------------------------------------------------------------------------------


def read_legacy_sheet(data: bytes) -> Document:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        tables = [_sheet_grid(workbook.get_sheet_by_name(name), name) for name in workbook.sheet_names]
    except (CalamineError, ValueError, OSError) as exc:
        raise UnreadableDocument(f"spreadsheet could not be read: {exc}") from exc
    tables = [t for t in tables if any(cell.text for row in t.rows for cell in row)]
    return Document(format="xls", text="\n\n".join(t.render() for t in tables), tables=tables)


def _sheet_grid(sheet: CalamineSheet, name: str) -> TableGrid:
    # The sheet's extent (from A1) is what to_python builds: checked before it is built.
    check_cells(sheet.total_height * sheet.total_width)
    values = sheet.to_python(skip_empty_area=False)
    height, width = len(values), max((len(row) for row in values), default=0)
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        for r in range(r0, min(r1, height - 1) + 1):  # a merge past the last cell covers nothing
            for c in range(c0, min(c1, width - 1) + 1):
                origin[(r, c)] = (r0, c0)
    rows = []
    for r in range(len(values)):
        row = []
        for c in range(width):
            top = origin.get((r, c), (r, c))
            value = values[top[0]][top[1]] if top[1] < len(values[top[0]]) else ""
            row.append(GridCell(_cell_text(value), top))
        rows.append(row)
    return TableGrid(rows=rows, aligned=True, source=f"sheet {name}")


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


# ---------------------------------------------------------------------------------------------
# LibreOffice conversion
# ---------------------------------------------------------------------------------------------


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ConversionError("LibreOffice (soffice) is not installed: run `make setup`")
    return found


def convert(data: bytes, target: str, *, source_suffix: str, timeout: float = CONVERT_TIMEOUT) -> bytes:
    """`data` converted by LibreOffice to `target` ("docx", "doc", "pdf", "xlsx", "xls"), cached by hash."""
    digest = hashlib.sha256(data).hexdigest()
    cached = cache_dir() / digest[:2] / f"{digest}.{target}"
    if cached.exists():
        return cached.read_bytes()
    work = make_temp_dir("lo")  # removed below, or by the next run if this one is killed
    try:
        source = work / f"input{source_suffix}"
        source.write_bytes(data)
        _run_soffice(work, source, target, timeout)
        result = work / "out" / f"input.{target}"
        if not result.exists():
            raise ConversionError(f"LibreOffice produced no {target} (the input may be corrupt)")
        converted = result.read_bytes()
    finally:
        remove_temp_dir(work)
    write_atomically(cached, converted)
    return converted


def _run_soffice(work: Path, source: Path, target: str, timeout: float) -> None:
    command = [
        soffice(),
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        _FILTERS[target],
        "--outdir",
        str(work / "out"),
        str(source),
    ]
    # HOME too: LibreOffice and its Java probe write there even with a private profile.
    env = {**os.environ, "HOME": str(work)}
    # Its own session (a timeout kills the whole group), killed by the kernel if we die first.
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        preexec_fn=die_with_parent,
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # soffice forks soffice.bin: kill the session's whole process group, not just the launcher.
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ConversionError(f"LibreOffice conversion to {target} timed out after {timeout:g} s") from None
    if process.returncode != 0:
        message = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ConversionError(f"LibreOffice conversion to {target} failed: {message[0]}")
