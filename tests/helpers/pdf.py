"""Reading the PDFs the platform produces (AUD-3, ORD-1): their text and their embedded fonts, with pypdf and
fontTools (a reader's view, not ReportLab's)."""

import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from fontTools.ttLib import TTFont
from pypdf import PdfReader

BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def pdf_text(pdf: bytes) -> str:
    """The text a reader extracts from every page (through each font's ToUnicode map)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def is_cjk(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" or ord(char) >= 0x20000


@dataclass
class PdfFont:
    """One font a page uses: its name, whether its glyphs are embedded (FontFile2: TrueType outlines), the
    characters it shows (code -> character, from ToUnicode) and those whose embedded glyph is missing."""

    name: str
    subtype: str
    embedded: bool
    shows: dict[int, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)


def _to_unicode(font: Any) -> dict[int, str]:
    if "/ToUnicode" not in font:
        return {}
    data = font["/ToUnicode"].get_object().get_data()
    block = b"".join(re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S))
    return {
        int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
        for code, text in BFCHAR.findall(block)
    }


def _font(font: Any) -> PdfFont:
    descriptor: Any = font["/FontDescriptor"].get_object() if "/FontDescriptor" in font else {}
    shows = {  # ReportLab's subsets list 0x20-0x7F whether shown or not: control characters draw nothing
        code: char for code, char in _to_unicode(font).items() if unicodedata.category(char[0]) != "Cc"
    }
    found = PdfFont(
        name=str(font.get("/BaseFont", "")),
        subtype=str(font.get("/Subtype", "")),
        embedded="/FontFile2" in descriptor,
        shows=shows,
    )
    if found.embedded:
        subset = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        cmap = {}
        for table in subset["cmap"].tables:
            cmap.update(table.cmap)
        glyf = subset["glyf"]
        for code, char in shows.items():
            glyph = cmap.get(code, ".notdef")
            outline = glyph != ".notdef" and glyf[glyph].numberOfContours != 0
            if glyph == ".notdef" or (not outline and not char.isspace()):
                found.missing.add(char)
    return found


def pdf_fonts(pdf: bytes) -> list[PdfFont]:
    """Every font the pages name in their resources (once per name)."""
    fonts: dict[str, PdfFont] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        if resources is None or "/Font" not in resources.get_object():
            continue
        for font in resources.get_object()["/Font"].get_object().values():
            parsed = _font(font.get_object())
            fonts.setdefault(parsed.name, parsed)
    return list(fonts.values())


def assert_cjk_embedded_without_missing_glyphs(pdf: bytes, expected: str) -> None:
    """AUD-3: every CJK character the PDF shows is drawn by an embedded TrueType font (FontFile2) that holds
    its glyph, the reader extracts no .notdef placeholder, and each CJK character of ``expected`` is among
    those shown."""
    fonts = pdf_fonts(pdf)
    text = pdf_text(pdf)
    assert "\x00" not in text, "a character was drawn with the font's .notdef glyph (missing from the font)"
    cjk_fonts = [f for f in fonts if any(is_cjk(c) for c in f.shows.values())]
    assert cjk_fonts, (
        f"no embedded font shows the CJK text (font, embedded): {[(f.name, f.embedded) for f in fonts]}"
    )
    for font in cjk_fonts:
        assert font.embedded and font.subtype == "/TrueType", f"{font.name} is not embedded (no FontFile2)"
        assert "+" in font.name, f"{font.name} is not a subset"
        assert not font.missing, f"{font.name} lacks glyphs for {sorted(font.missing)}"
    drawn = {c for f in cjk_fonts for c in f.shows.values()}
    used = {c for c in text if is_cjk(c)}
    assert used <= drawn, f"shown without an embedded glyph: {sorted(used - drawn)}"
    wanted = {c for c in expected if is_cjk(c)}
    assert wanted <= drawn, f"missing from the PDF: {sorted(wanted - drawn)}"
