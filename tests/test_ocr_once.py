"""OCR once, offline and quiet: recogniser reads cached by image hash and model version (a re-parse
never runs the recogniser again), the cache where `pipeline.cache` says, and nothing written
under HOME by onnxruntime (telemetry off).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import pipeline.readers.ocr as ocr
from pipeline.cache import CACHE_ENV, cache_dir
from pipeline.parse import parse_report
from pipeline.readers import ocr_cache

ROOT = Path(__file__).resolve().parents[1]


def table_png(tmp_path: Path) -> bytes:
    """A small ruled table of digits (the default PIL font has no CJK)."""
    image = Image.new("RGB", (420, 160), "white")
    draw = ImageDraw.Draw(image)
    for y in (10, 80, 150):
        draw.line((10, y, 410, y), fill="black", width=2)
    for x in (10, 210, 410):
        draw.line((x, 10, x, 150), fill="black", width=2)
    for (x, y), text in {(90, 40): "12", (290, 40): "345", (90, 110): "67", (290, 110): "8"}.items():
        draw.text((x, y), text, fill="black", font_size=28)
    path = tmp_path / "table.png"
    image.save(path)
    return path.read_bytes()


def test_a_reparse_reads_the_ocr_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    data = table_png(tmp_path)
    first = parse_report(data, "table.png")
    assert first.source_format == "image" and first.error is None
    assert any((tmp_path / "cache" / "ocr").rglob("*.json"))

    def no_engine() -> None:
        raise AssertionError("the recogniser ran again")

    monkeypatch.setattr(ocr, "_engine", no_engine)
    second = parse_report(data, "table.png")
    assert second.text == first.text and "345" in second.text
    assert second.to_record() == first.to_record()


def test_a_new_model_version_is_a_new_key() -> None:
    pixels = np.zeros((4, 4, 3), dtype=np.uint8)
    assert ocr_cache.key("rapidocr 3.10", "page", pixels) != ocr_cache.key("rapidocr 3.11", "page", pixels)
    assert ocr_cache.key("v", "page", pixels) != ocr_cache.key("v", "crop", pixels)
    changed = pixels.copy()
    changed[0, 0, 0] = 1
    assert ocr_cache.key("v", "page", pixels) != ocr_cache.key("v", "page", changed)
    assert "rapidocr" in ocr.model_version() and "onnxruntime" in ocr.model_version()


def test_a_damaged_entry_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    entry = "ab" * 32
    path = cache_dir("ocr") / entry[:2] / f"{entry}.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")

    def same(value: object) -> object:
        return value

    assert ocr_cache.cached(entry, lambda: [1, 2], same, same) == [1, 2]
    assert ocr_cache.cached(entry, lambda: [3], same, same) == [1, 2]  # rewritten whole


def test_the_cache_follows_xdg_and_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir("ocr") == tmp_path / "xdg" / "nianbao" / "ocr"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: only absolute paths
    assert cache_dir("ocr") == Path.home() / ".cache" / "nianbao" / "ocr"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "out" / "cache"))
    assert cache_dir("ocr") == tmp_path / "out" / "cache" / "ocr"


def test_ocr_writes_nothing_under_home(tmp_path: Path) -> None:
    """A fresh process (onnxruntime reads its switch when it loads) with HOME in a temporary folder."""
    home = tmp_path / "home"
    home.mkdir()
    image = tmp_path / "table.png"
    image.write_bytes(table_png(tmp_path))
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "ORT_DISABLE_TELEMETRY")}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), **{CACHE_ENV: str(tmp_path / "cache")})
    script = (
        "import sys; from pipeline.parse import parse_report; "
        "r = parse_report(open(sys.argv[1], 'rb').read(), 'table.png'); print(r.error or 'read')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(image)], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.stdout.strip() == "read", result.stderr
    assert list(home.rglob("*")) == []
