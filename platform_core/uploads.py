"""SEC-4: what an uploaded file may be, judged by its content, never by its name or declared type.

One check for every upload in the platform (qualification documents, after-sales and dispute
evidence, permission-application attachments, message images): PDF, JPEG or PNG by their magic bytes,
not empty, and at most the caller's size limit. Errors name the form field the file came in.
"""

import hashlib
import uuid
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from platform_core.errors import InvalidInput

#: Magic bytes of the only formats accepted: PDF, JPEG, PNG.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def upload_sniff(file: UploadedFile, *, max_bytes: int, field: str = "file") -> str:
    """The content type of ``file`` by its first bytes; ``InvalidInput`` if empty, too big or another type."""
    size = file.size or 0
    if size > max_bytes:
        raise InvalidInput(
            _("The file is too large: %(size)d bytes, at most %(limit)d.")
            % {"size": size, "limit": max_bytes},
            code="file_too_large",
            errors={field: [_("The file is too large.")]},
        )
    if size == 0:
        raise InvalidInput(
            _("The file is empty."), code="file_empty", errors={field: [_("The file is empty.")]}
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
        errors={field: [_("Only PDF, JPEG and PNG files are accepted.")]},
    )


def file_response(file: FieldFile, *, content_type: str, download_name: str) -> FileResponse:
    """SEC-4: stream a stored upload the caller's selector has already cleared the viewer for.

    Always an attachment under a name we choose (never the uploader's), with the content type recorded
    when the upload was sniffed and ``nosniff``, so a browser never renders it as something else.
    """
    return _attachment(file.open("rb"), content_type=content_type, download_name=download_name)


def _attachment(handle: Any, *, content_type: str, download_name: str) -> FileResponse:
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


def evidence_store(
    file: UploadedFile, *, folder: str, max_bytes: int, field: str = "evidence"
) -> dict[str, Any]:
    """SEC-4: keep a staff member's evidence file (checked by content) under ``MEDIA_ROOT/folder`` with a name
    of our own; returns the reference a record's ``evidence`` keeps (served only by a permission-checking
    view, ``evidence_response``)."""
    content_type = upload_sniff(file, max_bytes=max_bytes, field=field)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    name = default_storage.save(f"{folder}/{uuid.uuid4().hex}.{extension}", file)
    return {"file": name, "content_type": content_type, "size": file.size, "sha256": digest.hexdigest()}


def evidence_response(reference: dict[str, Any], *, download_name: str) -> FileResponse:
    """SEC-4: stream an evidence file ``evidence_store`` kept; the caller has checked the viewer."""
    name = str(reference.get("file") or "")
    if not name or not default_storage.exists(name):
        raise Http404
    extension = name.rsplit(".", 1)[-1]
    return _attachment(
        default_storage.open(name, "rb"),
        content_type=str(reference["content_type"]),
        download_name=f"{download_name}.{extension}",
    )
