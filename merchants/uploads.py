"""SEC-4: what an uploaded qualification document may be (the platform's one content check)."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from platform_core import uploads


def upload_sniff(file: UploadedFile) -> str:
    """The content type of ``file`` by its first bytes, or ``InvalidInput`` if too big or not PDF/JPEG/PNG."""
    return uploads.upload_sniff(file, max_bytes=settings.MERCHANT_UPLOAD_MAX_BYTES, field="file")
