"""An OFD writer (GB/T 33190-2016) for the laid-out pages of `pages`, and for scanned pages.

The package is the one Chinese producers (数科, 福昕, WPS) write: `OFD.xml` naming the document
root `Doc_0/Document.xml`, whose `CommonData` gives the page area (millimetres) and the public
resources (`PublicRes.xml`: fonts; `DocumentRes.xml`: images), and one `Pages/Page_N/Content.xml`
per page. Text is a `TextObject` per run: `Boundary` (x y w h on the page), `Font`, `Size`, and a
`TextCode` whose X/Y is the first character's baseline origin inside the boundary, with `DeltaX`
advances ("g 5 4.23" = five advances of 4.23). Vertical runs are written as producers set
vertical labels: a character column advancing by `DeltaY`, at a large `Size` brought back to the
printed size by the object's `CTM` (as PDF's text matrix does), so a reader must apply the CTM.
Ruling lines are `PathObject`s with `AbbreviatedData` ("M 0 0 L 40.2 0") relative to their
boundary. A scanned page is one `ImageObject` covering the page, its picture in `Res/`.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

from .pages import Page, advance

MM = 25.4 / 72  # millimetres per point
# Vertical runs: the font size written, and the CTM scale that brings it back (see the docstring).
VERTICAL_SIZE_FACTOR = 20.0
_ASCENT = 0.88  # of an em, above the baseline
_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
_FONT_ID = 2


def _n(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _deltas(advances: list[float]) -> str:
    """DeltaX/DeltaY with runs of equal advances compressed as "g count value"."""
    out: list[str] = []
    i = 0
    while i < len(advances):
        j = i
        while j < len(advances) and abs(advances[j] - advances[i]) < 1e-9:
            j += 1
        out.append(f"g {j - i} {_n(advances[i])}" if j - i > 1 else _n(advances[i]))
        i = j
    return " ".join(out)


def _ofd_xml(title: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD {_NS} Version="1.0" DocType="OFD">'
        f"<ofd:DocBody><ofd:DocInfo><ofd:DocID>nianbao</ofd:DocID><ofd:Title>{escape(title)}</ofd:Title>"
        "<ofd:Creator>WPS Office</ofd:Creator></ofd:DocInfo>"
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )


def _document_xml(pages: list[tuple[float, float]], images: int) -> str:
    width, height = pages[0] if pages else (210.0, 297.0)
    entries = "".join(
        f'<ofd:Page ID="{100 + n}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages))
    )
    res = "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>" if images else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document {_NS}><ofd:CommonData>'
        f"<ofd:MaxUnitID>{10_000_000}</ofd:MaxUnitID>"
        f"<ofd:PageArea><ofd:PhysicalBox>0 0 {_n(width)} {_n(height)}</ofd:PhysicalBox></ofd:PageArea>"
        f"<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{res}</ofd:CommonData>"
        f"<ofd:Pages>{entries}</ofd:Pages></ofd:Document>"
    )


def _public_res() -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res {_NS} BaseLoc="Res"><ofd:Fonts>'
        f'<ofd:Font ID="{_FONT_ID}" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
    )


def _page_xml(page: Page, first_id: int) -> str:
    objects: list[str] = []
    next_id = first_id
    for rule in page.rules:
        x0, y0 = min(rule.x0, rule.x1) * MM, min(rule.y0, rule.y1) * MM
        w, h = abs(rule.x1 - rule.x0) * MM, abs(rule.y1 - rule.y0) * MM
        objects.append(
            f'<ofd:PathObject ID="{next_id}" Boundary="{_n(x0)} {_n(y0)} {_n(w)} {_n(h)}" LineWidth="0.176">'
            f"<ofd:AbbreviatedData>M 0 0 L {_n(w)} {_n(h)}</ofd:AbbreviatedData></ofd:PathObject>"
        )
        next_id += 1
    for run in page.runs:
        size = run.size * MM
        x0, top, x1, bottom = (v * MM for v in run.box())
        boundary = f"{_n(x0)} {_n(top)} {_n(x1 - x0)} {_n(bottom - top)}"
        text = escape(run.text)
        if run.vertical:
            big = size * VERTICAL_SIZE_FACTOR
            scale = 1 / VERTICAL_SIZE_FACTOR
            deltas = _deltas([big] * (len(run.text) - 1))
            step = f' DeltaY="{deltas}"' if deltas else ""
            objects.append(
                f'<ofd:TextObject ID="{next_id}" Boundary="{boundary}" Font="{_FONT_ID}" Size="{_n(big)}" '
                f'CTM="{_n(scale)} 0 0 {_n(scale)} 0 0">'
                f'<ofd:TextCode X="0" Y="{_n(big * _ASCENT)}"{step}>{text}</ofd:TextCode></ofd:TextObject>'
            )
        else:
            deltas = _deltas([advance(ch) * size for ch in run.text[:-1]])
            step = f' DeltaX="{deltas}"' if deltas else ""
            objects.append(
                f'<ofd:TextObject ID="{next_id}" Boundary="{boundary}" Font="{_FONT_ID}" Size="{_n(size)}">'
                f'<ofd:TextCode X="0" Y="{_n(size * _ASCENT)}"{step}>{text}</ofd:TextCode></ofd:TextObject>'
            )
        next_id += 1
    box = f"0 0 {_n(page.width * MM)} {_n(page.height * MM)}"
    area = f"<ofd:Area><ofd:PhysicalBox>{box}</ofd:PhysicalBox></ofd:Area>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page {_NS}>{area}<ofd:Content>'
        f'<ofd:Layer ID="{first_id - 1}" Type="Body">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'
    )


def _package(
    title: str, files: dict[str, str | bytes], sizes: list[tuple[float, float]], images: int
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("OFD.xml", _ofd_xml(title))
        package.writestr("Doc_0/Document.xml", _document_xml(sizes, images))
        package.writestr("Doc_0/PublicRes.xml", _public_res())
        for name, data in files.items():
            package.writestr(name, data)
    return out.getvalue()


def write_ofd(pages: list[Page], *, title: str = "") -> bytes:
    """Born-digital OFD: the pages' text and ruling lines."""
    files: dict[str, str | bytes] = {}
    for n, page in enumerate(pages):
        files[f"Doc_0/Pages/Page_{n}/Content.xml"] = _page_xml(page, first_id=1000 * (n + 1) + 1)
    return _package(title, files, [(p.width * MM, p.height * MM) for p in pages], images=0)


def write_scanned_ofd(scans: list[bytes], page_size: tuple[float, float], *, title: str = "") -> bytes:
    """Scanned OFD: each page one picture (PNG or JPEG bytes) covering the page (size in mm)."""
    width, height = page_size
    files: dict[str, str | bytes] = {}
    media = []
    for n, data in enumerate(scans):
        suffix = "png" if data.startswith(b"\x89PNG") else "jpg"
        files[f"Doc_0/Res/scan_{n}.{suffix}"] = data
        media.append(
            f'<ofd:MultiMedia ID="{10 + n}" Type="Image" Format="{suffix.upper()}">'
            f"<ofd:MediaFile>scan_{n}.{suffix}</ofd:MediaFile></ofd:MultiMedia>"
        )
        files[f"Doc_0/Pages/Page_{n}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page {_NS}><ofd:Content><ofd:Layer ID="{500 + n}">'
            f'<ofd:ImageObject ID="{600 + n}" Boundary="0 0 {_n(width)} {_n(height)}" '
            f'CTM="{_n(width)} 0 0 {_n(height)} 0 0" ResourceID="{10 + n}"/>'
            "</ofd:Layer></ofd:Content></ofd:Page>"
        )
    files["Doc_0/DocumentRes.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Res {_NS} BaseLoc="Res"><ofd:MultiMedias>'
        f"{''.join(media)}</ofd:MultiMedias></ofd:Res>"
    )
    return _package(title, files, [page_size] * len(scans), images=len(scans))
