"""SEC-4: what an uploaded qualification document may be, judged by its content, not its name."""

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from merchants.policies import upload_max_bytes
from platform_core.errors import InvalidInput

#: Magic bytes of the only formats accepted: PDF, JPEG, PNG.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def upload_sniff(file: UploadedFile) -> str:
    """The content type of ``file`` by its first bytes, or ``InvalidInput`` if too big or not PDF/JPEG/PNG."""
    size = file.size or 0
    limit = upload_max_bytes()
    if size > limit:
        raise InvalidInput(
            _("The file is too large: %(size)d bytes, at most %(limit)d.") % {"size": size, "limit": limit},
            code="file_too_large",
            errors={"file": [_("The file is too large.")]},
        )
    if size == 0:
        raise InvalidInput(
            _("The file is empty."), code="file_empty", errors={"file": [_("The file is empty.")]}
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise InvalidInput(
        _("Only PDF, JPEG and PNG files are accepted (judged by content, not by name)."),
        code="file_type_not_allowed",
        errors={"file": [_("Only PDF, JPEG and PNG files are accepted.")]},
    )
