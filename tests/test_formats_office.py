"""Legacy Office files: .doc and .wps through LibreOffice (sandboxed, timed out, cached by content
hash), .xls and .et read directly by python-calamine."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from test_formats_corpus import convert_cache, docx_of, ground_truth, to_doc, to_xls  # noqa: F401
from test_formats_pdf import wrong_cells

from pipeline.cache import CACHE_ENV
from pipeline.parse import parse_report
from pipeline.readers import office
from pipeline.readers.office import ConversionError, cache_dir, convert
from pipeline.report import STATUS_FAILED, STATUS_OK


@pytest.mark.parametrize(
    ("template", "seed", "name"), [("2021", 21, "report.doc"), ("2019", 22, "report.wps")]
)
def test_word_97_files_convert_and_parse(convert_cache: None, template: str, seed: int, name: str) -> None:  # noqa: F811
    # Kingsoft .wps files are Word 97 streams in an OLE2 container: the name plays no part.
    gt = ground_truth(seed, template)
    report = parse_report(to_doc(docx_of(gt)), name)
    assert report.source_format == "ole2"
    assert (report.template, report.status) == (template, STATUS_OK)
    assert not wrong_cells(report, gt)
    assert (report.year, report.agency) == (gt.year, gt.agency)


def test_xls_is_read_without_libreoffice(convert_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    gt = ground_truth(23, "2019")
    xls = to_xls(gt)  # made by LibreOffice, read without it
    monkeypatch.setattr(office, "soffice", _no_libreoffice)
    report = parse_report(xls, "report.et")
    assert (report.template, report.status) == ("2019", STATUS_OK)
    assert not wrong_cells(report, gt)


def _no_libreoffice() -> str:
    raise AssertionError("LibreOffice was started")


def test_conversions_are_cached_by_content(convert_cache: None, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    docx = docx_of(ground_truth(24))
    first = convert(docx, "doc", source_suffix=".docx")
    assert any(cache_dir().rglob("*.doc"))
    monkeypatch.setattr(office, "soffice", _no_libreoffice)
    assert convert(docx, "doc", source_suffix=".docx") == first


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_dir() == Path.home() / ".cache" / "nianbao" / "convert"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "nianbao" / "convert"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert cache_dir() == tmp_path / "convert"


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_a_hanging_conversion_is_killed_with_its_children(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    child = tmp_path / "child.pid"
    hang = _fake_soffice(tmp_path, f"sleep 60 & echo $! > {child}; wait")
    monkeypatch.setattr(office, "soffice", lambda: hang)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    start = time.monotonic()
    with pytest.raises(ConversionError, match="timed out"):
        convert(b"not a document", "docx", source_suffix=".doc", timeout=1)
    assert time.monotonic() - start < 10
    # The child stands for soffice.bin, which the launcher forks: killed with the process group
    # (a zombie waiting for init to reap it is dead too).
    status = Path(f"/proc/{int(child.read_text())}/status")
    time.sleep(0.2)
    assert not status.exists() or "State:\tZ" in status.read_text()


def test_a_failed_conversion_is_an_unreadable_document(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    failing = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1")
    monkeypatch.setattr(office, "soffice", lambda: failing)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    doc = to_doc_header_only()
    report = parse_report(doc, "broken.doc")
    assert report.status == STATUS_FAILED
    assert "could not be loaded" in (report.error or "") or "OLE2" in (report.error or "")


def to_doc_header_only() -> bytes:
    """Bytes that start like an OLE2 container and are not one."""
    from pipeline.readers import OLE2_MAGIC

    return OLE2_MAGIC + b"\x00" * 600
