"""Archived originals: named by sha256 with the extension of their detected format, older
extension-less files still found; every file the archive writes follows the umask."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.archive import RawArchive, current_umask, write_atomic
from pipeline.render import random_ground_truth, render_docx, render_html, render_xlsx

GT = random_ground_truth(__import__("random").Random(1), year=2023, agency="某县人民政府")


@pytest.mark.parametrize(
    ("body", "extension"),
    [
        (render_html(GT), ".html"),
        (render_docx(GT), ".docx"),
        (render_xlsx(GT), ".xlsx"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ".pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ".png"),
        ("二〇二三年政府信息公开工作年度报告".encode(), ".txt"),
        (b"\x00\x01\x02 not a document", ""),
    ],
)
def test_stored_files_carry_the_extension_of_their_format(
    tmp_path: Path, body: bytes, extension: str
) -> None:
    archive = RawArchive(tmp_path)
    sha256 = archive.put(body)
    path = archive.path_for(sha256)
    assert path.name == sha256 + extension
    assert archive.get(sha256) == body


def test_extension_less_files_of_older_archives_are_found_and_not_duplicated(tmp_path: Path) -> None:
    body = render_html(GT)
    sha256 = hashlib.sha256(body).hexdigest()
    archive = RawArchive(tmp_path)
    old = archive.folder_for(sha256) / sha256
    old.parent.mkdir(parents=True)
    old.write_bytes(body)
    assert archive.put(body) == sha256
    assert archive.path_for(sha256) == old and archive.get(sha256) == body
    assert list(old.parent.iterdir()) == [old]
    with pytest.raises(FileNotFoundError):
        archive.get("0" * 64)


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def test_written_files_follow_the_umask(tmp_path: Path, umask: None) -> None:
    assert current_umask() == 0o027
    write_atomic(tmp_path / "a.json", b"{}")
    archive = RawArchive(tmp_path)
    path = archive.path_for(archive.put(b"<html><p>x</p></html>"))
    assert {(tmp_path / "a.json").stat().st_mode & 0o777, path.stat().st_mode & 0o777} == {0o640}
