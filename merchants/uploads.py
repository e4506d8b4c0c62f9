"""SEC-4: what an uploaded qualification document may be (the platform's one content check)."""

from django.core.files.uploadedfile import UploadedFile

from merchants.policies import upload_max_bytes
from platform_core import uploads


def upload_sniff(file: UploadedFile) -> str:
    """The content type of ``file`` by its first bytes, or ``InvalidInput`` if too big or not PDF/JPEG/PNG."""
    return uploads.upload_sniff(file, max_bytes=upload_max_bytes(), field="file")
