"""A small PDF writer for the laid-out pages of `pages`: text the way WPS writes it, ruled tables.

Text is set in composite (Type0) fonts with 2-byte codes (the glyph's CID in the embedded font,
mapped back to Unicode by a ToUnicode CMap): horizontal runs in an `Identity-H` font at their size, vertical
runs in an `Identity-V` font, as WPS does, at a huge font size (`VERTICAL_FONT_SIZE`) scaled down
to the run's size by the text matrix. In vertical writing a glyph hangs from its origin: the
origin is the top centre of the character (position vector (w0/2, 880) of the default `DW2`)
and each glyph advances one em down. A reader that takes the font size without the text matrix
sees characters 20 times too large, centred columns away from where they are printed.

The font is Noto Sans CJK SC (Debian's fonts-noto-cjk), subset to the characters used and
embedded as CID-keyed CFF, as WPS embeds its subset fonts: PDFium computes a vertical glyph's box
from the glyph itself, so a font that is not embedded leaves vertical text out of the text layer.
Widths are declared (`/W`) to match `pages.advance`, so a reader's character boxes are exact.
"""

from __future__ import annotations

import io
import zlib
from functools import cache
from pathlib import Path

from .pages import Page, advance

# Debian's fonts-noto-cjk (a Makefile APT package); font 2 of the collection is the SC face.
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_NOTO_SC = "Noto Sans CJK SC"

VERTICAL_FONT_SIZE = 180.0
_ASCENT, _DESCENT = 880, -120
_BASE_FONT = "NOTOSC+NotoSansCJKsc-Regular"  # a subset's tag, as producers name embedded subsets


class _Font:
    """The embedded subset: its CFF bytes and the CID of every character used."""

    def __init__(self, text: str) -> None:
        from fontTools import subset
        from fontTools.ttLib import TTCollection, TTFont

        if not NOTO_CJK.exists():
            raise FileNotFoundError(f"{NOTO_CJK} is missing: apt-get install fonts-noto-cjk")
        faces = [face["name"].getDebugName(4) for face in TTCollection(str(NOTO_CJK), lazy=True).fonts]
        font = TTFont(str(NOTO_CJK), fontNumber=faces.index(_NOTO_SC))
        options = subset.Options()
        options.desubroutinize = True
        options.hinting = False
        options.layout_features = []
        options.name_IDs = []
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        cmap = font.getBestCmap()
        # A subset CID-keyed CFF keeps the original CIDs in its glyph names ("cid01397").
        self.cids = {ch: int(cmap[ord(ch)].removeprefix("cid")) for ch in text if ord(ch) in cmap}
        data = io.BytesIO()
        font["CFF "].cff.compile(data, font)
        self.cff = data.getvalue()

    def code(self, text: str) -> str:
        return "".join(f"{self.cids.get(ch, 0):04X}" for ch in text)


@cache
def _font(text: str) -> _Font:
    return _Font(text)


def _unicode_hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text)


def _content(page: Page, font: _Font) -> bytes:
    height = page.height
    ops = [f"{0.5:g} w 0 G"]
    for rule in page.rules:
        ops.append(f"{rule.x0:.2f} {height - rule.y0:.2f} m {rule.x1:.2f} {height - rule.y1:.2f} l S")
    for run in page.runs:
        if run.vertical:
            # The origin of the first glyph: its top centre. Font size × text matrix = run size.
            scale = run.size / VERTICAL_FONT_SIZE
            x, y = run.x + run.size / 2, height - run.y
            ops.append(f"BT /F2 {VERTICAL_FONT_SIZE:g} Tf {scale:g} 0 0 {scale:g} {x:.2f} {y:.2f} Tm")
        else:
            baseline = height - run.y - run.size * _ASCENT / 1000
            ops.append(f"BT /F1 {run.size:g} Tf 1 0 0 1 {run.x:.2f} {baseline:.2f} Tm")
        ops.append(f"<{font.code(run.text)}> Tj ET")
    return "\n".join(ops).encode("ascii")


def _widths(font: _Font) -> str:
    """The /W array: every half-width character's CID at 500 (the default width is 1000)."""
    half = sorted((cid, ch) for ch, cid in font.cids.items() if advance(ch) != 1.0)
    return "[" + " ".join(f"{cid} [{int(advance(ch) * 1000)}]" for cid, ch in half) + "]"


def _to_unicode(font: _Font) -> bytes:
    pairs = sorted((cid, ch) for ch, cid in font.cids.items())
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, len(pairs), 100):  # at most 100 entries per block
        chunk = pairs[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{cid:04X}> <{_unicode_hex(ch)}>" for cid, ch in chunk]
        lines.append("endbfchar")
    lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    return "\n".join(lines).encode()


def write_pdf(pages: list[Page], *, title: str = "", producer: str = "WPS 文字") -> bytes:
    """The pages as a PDF file (one content stream per page, two fonts shared by all)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes, extra: str = "") -> bytes:
        packed = zlib.compress(data)
        return (
            f"<< /Length {len(packed)} /Filter /FlateDecode {extra}>>\nstream\n".encode()
            + packed
            + b"\nendstream"
        )

    font = _font("".join(sorted({ch for page in pages for run in page.runs for ch in run.text})))
    to_unicode = add(stream(_to_unicode(font)))
    font_file = add(stream(font.cff, "/Subtype /CIDFontType0C "))
    descriptor = add(
        f"<< /Type /FontDescriptor /FontName /{_BASE_FONT} /Flags 6 /FontBBox [0 {_DESCENT} 1000 {_ASCENT}] "
        f"/ItalicAngle 0 /Ascent {_ASCENT} /Descent {_DESCENT} /CapHeight {_ASCENT} /StemV 80 "
        f"/FontFile3 {font_file} 0 R >>".encode()
    )
    cid_font = add(
        f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /{_BASE_FONT} "
        f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor {descriptor} 0 R /DW 1000 /W {_widths(font)} >>".encode()
    )
    fonts = {}
    for name, encoding in (("F1", "Identity-H"), ("F2", "Identity-V")):
        fonts[name] = add(
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{_BASE_FONT} /Encoding /{encoding} "
            f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>".encode()
        )
    resources = f"<< /Font << /F1 {fonts['F1']} 0 R /F2 {fonts['F2']} 0 R >> >>"
    pages_id = len(objects) + 2 * len(pages) + 1
    kids = []
    for page in pages:
        content = add(stream(_content(page, font)))
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {page.width:.2f} {page.height:.2f}] "
                f"/Resources {resources} /Contents {content} 0 R >>".encode()
            )
        )
    add(f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode())
    catalog = add(f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode())
    info = add(f"<< /Title <FEFF{_unicode_hex(title)}> /Producer <FEFF{_unicode_hex(producer)}> >>".encode())
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
