"""SEC-4: what an evidence file may be, judged by its content, not its name."""

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from aftersales import conf
from platform_core.errors import InvalidInput

#: Magic bytes of the only formats accepted: PDF, JPEG, PNG.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def evidence_sniff(file: UploadedFile) -> str:
    """The content type of ``file`` by its first bytes; ``InvalidInput`` if empty, too big or another type."""
    size = file.size or 0
    limit = conf.evidence_max_bytes()
    if size > limit:
        raise InvalidInput(
            _("The file is too large: %(size)d bytes, at most %(limit)d.") % {"size": size, "limit": limit},
            code="file_too_large",
            errors={"evidence": [_("The file is too large.")]},
        )
    if size == 0:
        raise InvalidInput(
            _("The file is empty."), code="file_empty", errors={"evidence": [_("Empty file.")]}
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
        errors={"evidence": [_("Only PDF, JPEG and PNG files are accepted.")]},
    )


def evidence_check_all(files: Sequence[UploadedFile]) -> list[str]:
    """Every file's content type, in order; ``InvalidInput`` for too many files or any bad one."""
    if len(files) > conf.evidence_max_files():
        raise InvalidInput(
            _("At most %(n)d evidence files.") % {"n": conf.evidence_max_files()},
            code="too_many_files",
            errors={"evidence": [_("Too many files.")]},
        )
    return [evidence_sniff(file) for file in files]
