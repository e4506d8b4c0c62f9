"""AUD-3 (issue 21, decision 042): the CJK font every PDF embeds.

ReportLab embeds a subset of a TrueType-outline font (``glyf``): only the glyphs a document shows, so a
reader without Chinese fonts shows the same characters. ReportLab's built-in CID font (``STSong-Light``)
is only named in the file, and CFF-outline fonts (Noto Sans CJK's ``.ttc``/``.otf``) cannot be embedded by
ReportLab. The file is ``PDF_CJK_FONT_PATH`` (default: the first of Debian's free TrueType CJK fonts
installed, ``fonts-wqy-microhei`` first; ``.ci/run`` and the Dockerfile install it), with
``PDF_CJK_FONT_INDEX`` naming the face of a collection (``.ttc``).

``check_pdf_font`` is a system check: ``platform.E107`` in production (``deploy_checks`` includes it, so
gunicorn, the worker and ``check --deploy`` refuse to start without the font), ``platform.W107`` elsewhere.
"""

import struct
from functools import cache
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.core.exceptions import ImproperlyConfigured

#: the name the PDF renderers use for the embedded CJK font
PDF_FONT = "PlatformCJK"

INSTALL_HINT = (
    "Install a TrueType-outline CJK font (Debian: apt-get install fonts-wqy-microhei) or set "
    "PDF_CJK_FONT_PATH to one (.ttf, or .ttc with PDF_CJK_FONT_INDEX); CFF fonts (.otf, Noto Sans CJK) "
    "cannot be embedded."
)


@cache
def _load(path: str, index: int) -> Any:
    from reportlab.pdfbase.ttfonts import TTFont

    return TTFont(PDF_FONT, path, subfontIndex=index)


def _outlines(path: str, index: int) -> bytes:
    """The sfnt version of the face (``ttcf`` collections resolved to face ``index``): ``\\0\\1\\0\\0`` or
    ``true`` for TrueType outlines, ``OTTO`` for CFF. Reads a few bytes: the system check runs at every
    start-up, the full parse (a second or more for a CJK font) only when a PDF is rendered."""
    with open(path, "rb") as font:
        version = font.read(4)
        if version == b"ttcf":
            font.seek(8)
            count = struct.unpack(">L", font.read(4))[0]
            if not 0 <= index < count:
                return b"no such face"
            font.seek(12 + 4 * index)
            font.seek(struct.unpack(">L", font.read(4))[0])
            version = font.read(4)
    return version


def pdf_font_problem() -> str | None:
    """Why the configured font cannot be embedded (missing, unreadable, CFF outlines), or None."""
    path = settings.PDF_CJK_FONT_PATH
    if not path:
        return "PDF_CJK_FONT_PATH is empty and no known TrueType CJK font is installed."
    try:
        version = _outlines(path, settings.PDF_CJK_FONT_INDEX)
    except (OSError, struct.error) as error:
        return f"PDF_CJK_FONT_PATH={path} cannot be read: {error}"
    if version not in (b"\0\1\0\0", b"true"):
        kind = "CFF (postscript) outlines" if version == b"OTTO" else f"not a TrueType font ({version!r})"
        return f"PDF_CJK_FONT_PATH={path} (face {settings.PDF_CJK_FONT_INDEX}) cannot be embedded: {kind}."
    return None


def register_pdf_font() -> str:
    """Register the CJK font with ReportLab (once) and return its name; ImproperlyConfigured without it."""
    from reportlab.pdfbase import pdfmetrics

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        problem = pdf_font_problem()
        if problem:
            raise ImproperlyConfigured(f"{problem} {INSTALL_HINT}")
        font = _load(settings.PDF_CJK_FONT_PATH, settings.PDF_CJK_FONT_INDEX)
        if ord("中") not in font.face.charToGlyph:
            raise ImproperlyConfigured(f"PDF_CJK_FONT_PATH has no Chinese characters. {INSTALL_HINT}")
        pdfmetrics.registerFont(font)
    return PDF_FONT


def pdf_font_errors() -> list[CheckMessage]:
    """``platform.E107`` when the font cannot be embedded (production's start-up check)."""
    problem = pdf_font_problem()
    return [] if problem is None else [Error(problem, hint=INSTALL_HINT, id="platform.E107")]


def check_pdf_font(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """Outside production a missing font is a warning (PDF exports fail; everything else works)."""
    if settings.DJANGO_ENV == "production":
        return []  # reported by the deployment check (platform.E107), which refuses to start
    problem = pdf_font_problem()
    return [] if problem is None else [Warning(problem, hint=INSTALL_HINT, id="platform.W107")]
