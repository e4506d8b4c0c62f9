"""SEC-4: uploads are judged by content (magic bytes), not by name; empty and oversized files refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from platform_core.errors import InvalidInput
from platform_core.uploads import upload_sniff


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png"),
    ],
)
def test_sec_4_pdf_jpeg_png_accepted_by_content_whatever_the_name(content: bytes, expected: str) -> None:
    assert upload_sniff(SimpleUploadedFile("anything.exe", content), max_bytes=1000) == expected


def test_sec_4_a_disguised_file_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        upload_sniff(
            SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 not a pdf"), max_bytes=1000, field="evidence"
        )
    assert refused.value.code == "file_type_not_allowed"
    assert "evidence" in refused.value.errors


def test_sec_4_empty_and_oversized_files_are_refused() -> None:
    with pytest.raises(InvalidInput) as empty:
        upload_sniff(SimpleUploadedFile("a.pdf", b""), max_bytes=1000)
    assert empty.value.code == "file_empty"
    with pytest.raises(InvalidInput) as big:
        upload_sniff(SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * 2000), max_bytes=1000)
    assert big.value.code == "file_too_large"
