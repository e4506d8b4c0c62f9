"""AUD-3, issue 21 ("PDF exports … embed the CJK font, have no missing glyphs"; decision 042): a PDF shows its
Chinese on any reader. Each PDF is read back as a reader sees it (pypdf, fontTools): the CJK font is a
TrueType subset embedded in the file (FontFile2), and every CJK character shown has its glyph in it."""

import gettext
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from platform_core.deploy_checks import production_errors
from platform_core.reports import fonts
from platform_core.reports.registry import report_get
from platform_core.reports.renderers import pdf_styles, pdf_table
from tests.conftest import client_for
from tests.factories.orders import pending_order
from tests.factories.reports import auditor_factory, streamed
from tests.helpers.pdf import assert_cjk_embedded_without_missing_glyphs, is_cjk, pdf_fonts

pytestmark = pytest.mark.django_db

NOTO_CFF = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@pytest.mark.usefixtures("platform_default_language")
def test_aud_3_report_pdf_embeds_the_cjk_font_without_missing_glyphs() -> None:
    client = client_for(auditor_factory())
    response = client.get("/api/v1/reports/disputes/export/?format=pdf&from=2026-01-01&status=mediation")
    assert response.status_code == 200
    with translation.override("zh-hans"):
        title = str(report_get("disputes").title)
    assert any(is_cjk(c) for c in title)
    # the title, the filters in words (日期 … 至 …；状态：调解) and the column headings, all in Chinese
    assert_cjk_embedded_without_missing_glyphs(streamed(response), expected=title + "日期至状态调解")


def test_aud_3_contract_pdf_embeds_the_cjk_font_without_missing_glyphs() -> None:
    order = pending_order()
    pdf = client_for(order.customer).get(f"/api/v1/orders/{order.pk}/contract/?format=pdf").content
    line = order.lines.get()
    assert_cjk_embedded_without_missing_glyphs(pdf, expected=order.merchant.legal_name + line.title)


def test_aud_3_a_character_outside_the_font_is_caught() -> None:
    """The check fails on a missing glyph: U+20000 (CJK extension B) is not in the font, ReportLab draws its
    .notdef box."""
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    styles = pdf_styles()
    SimpleDocTemplate(buffer).build([Paragraph("审计 \U00020000", styles["Normal"]), pdf_table([["纠纷"]])])
    assert all(font.embedded for font in pdf_fonts(buffer.getvalue()) if font.shows)
    with pytest.raises(AssertionError, match="notdef"):
        assert_cjk_embedded_without_missing_glyphs(buffer.getvalue(), expected="审计纠纷")


def test_aud_3_the_font_has_every_chinese_character_of_the_translations() -> None:
    """Every label the PDFs can print comes from the zh-hans catalogue: the font draws each of its
    characters (no label prints as empty boxes)."""
    fonts.register_pdf_font()
    face = fonts._load(settings.PDF_CJK_FONT_PATH, settings.PDF_CJK_FONT_INDEX).face
    catalogue = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with catalogue.open("rb") as mo:
        strings = gettext.GNUTranslations(mo)._catalog.values()  # type: ignore[attr-defined]
    used = {c for text in strings for c in str(text) if is_cjk(c)}
    assert len(used) > 500
    assert not {c for c in used if ord(c) not in face.charToGlyph}


def test_aud_3_production_refuses_to_start_without_an_embeddable_cjk_font(settings) -> None:
    installed = settings.PDF_CJK_FONT_PATH
    assert fonts.pdf_font_problem() is None and "platform.E107" not in {e.id for e in production_errors()}
    settings.PDF_CJK_FONT_PATH = "/nonexistent/cjk.ttf"
    assert "platform.E107" in {e.id for e in production_errors()}
    assert [w.id for w in fonts.check_pdf_font()] == ["platform.W107"]  # outside production: a warning
    settings.DJANGO_ENV = "production"
    assert fonts.check_pdf_font() == []  # production reports it as the deployment error E107
    if NOTO_CFF.is_file():  # CFF outlines: ReportLab cannot embed them
        settings.PDF_CJK_FONT_PATH = str(NOTO_CFF)
        assert "CFF" in (fonts.pdf_font_problem() or "")
    settings.PDF_CJK_FONT_PATH, settings.PDF_CJK_FONT_INDEX = installed, 99
    assert "face 99" in (fonts.pdf_font_problem() or "")  # a collection has no 100th face
    settings.PDF_CJK_FONT_INDEX = 0
    settings.PDF_CJK_FONT_PATH = ""
    assert "platform.E107" in {e.id for e in production_errors()}


def test_aud_3_rendering_without_the_font_names_the_fix(settings, monkeypatch) -> None:
    from reportlab.pdfbase import pdfmetrics

    monkeypatch.delitem(pdfmetrics._fonts, fonts.PDF_FONT, raising=False)
    settings.PDF_CJK_FONT_PATH = "/nonexistent/cjk.ttf"
    with pytest.raises(ImproperlyConfigured, match="fonts-wqy-microhei"):
        pdf_styles()
