"""SEC-4: what an evidence file may be (the platform's one content check, plus a count limit)."""

from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from platform_core import uploads
from platform_core.errors import InvalidInput


def evidence_sniff(file: UploadedFile) -> str:
    """The content type of ``file`` by its first bytes; ``InvalidInput`` if empty, too big or another type."""
    return uploads.upload_sniff(file, max_bytes=settings.AFTERSALES_EVIDENCE_MAX_BYTES, field="evidence")


def evidence_check_all(files: Sequence[UploadedFile]) -> list[str]:
    """Every file's content type, in order; ``InvalidInput`` for too many files or any bad one."""
    if len(files) > settings.AFTERSALES_EVIDENCE_MAX_FILES:
        raise InvalidInput(
            _("At most %(n)d evidence files.") % {"n": settings.AFTERSALES_EVIDENCE_MAX_FILES},
            code="too_many_files",
            errors={"evidence": [_("Too many files.")]},
        )
    return [evidence_sniff(file) for file in files]
