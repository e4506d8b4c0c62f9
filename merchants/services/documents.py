"""MER-6, MER-7: qualification documents: upload, expiry warnings, expiry.

Hook other apps register on (from their ``hooks.py``; ``platform_core.hooks``):

- ``document_expired_handlers``: ``handler(*, merchant, document_kind, document) -> None`` called when a
  merchant's document of ``document_kind`` expires; catalog suspends exactly the listings whose category
  requires that kind (MER-7).
"""

from datetime import date, datetime, time, timedelta
from typing import Protocol

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.clocks import RULE_DOCUMENT_EXPIRED, RULE_DOCUMENT_FIRST_WARNING, RULE_DOCUMENT_LAST_WARNING
from merchants.models import Merchant, MerchantApplication, QualificationDocument
from merchants.services._common import S, _notify_owner, _require_owner
from merchants.services.lifecycle import merchant_lock
from merchants.uploads import upload_sniff
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_restart
from platform_core.hooks import Hook


class DocumentExpiredHandler(Protocol):
    def __call__(
        self, *, merchant: Merchant, document_kind: str, document: QualificationDocument
    ) -> None: ...


document_expired_handlers = Hook[DocumentExpiredHandler](
    "merchants.document_expired_handlers",
    doc=(
        "MER-7: a merchant's qualification document of `document_kind` expired today; called in "
        "`document_expire`'s transaction (catalog suspends the listings whose category requires it)."
    ),
)


def document_expires_at(document: QualificationDocument) -> datetime | None:
    """MER-7: a document is valid through ``valid_until``; it expires at the start of the next day (local)."""
    if document.valid_until is None:
        return None
    return timezone.make_aware(datetime.combine(document.valid_until + timedelta(days=1), time.min))


def _document_create(
    *,
    kind: str,
    number: str,
    issuer: str,
    valid_from: date,
    valid_until: date | None,
    file: UploadedFile,
    actor: User,
    application: MerchantApplication | None = None,
    merchant: Merchant | None = None,
) -> QualificationDocument:
    content_type = upload_sniff(file)
    document = QualificationDocument(
        application=application,
        merchant=merchant,
        kind=kind,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        content_type=content_type,
        size=file.size or 0,
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file", "content_type", "size"])
    document.file.save("upload", file, save=False)
    document.save()
    return document


def _document_schedule(document: QualificationDocument) -> None:
    """MER-7: warning clocks 30 and 7 days before expiry, and the expiry clock itself (future ones only)."""
    expires_at = document_expires_at(document)
    if expires_at is None:
        return
    now = clock.now()
    warnings = settings.MERCHANT_DOCUMENT_WARNING_DAYS
    for rule, days in zip((RULE_DOCUMENT_FIRST_WARNING, RULE_DOCUMENT_LAST_WARNING), warnings, strict=False):
        due = expires_at - timedelta(days=days)
        if due > now:
            deadline_restart(rule=rule, subject=document, due_at=due)
    deadline_restart(rule=RULE_DOCUMENT_EXPIRED, subject=document, due_at=max(expires_at, now))


def _document_unschedule(document: QualificationDocument) -> None:
    for rule in (RULE_DOCUMENT_FIRST_WARNING, RULE_DOCUMENT_LAST_WARNING, RULE_DOCUMENT_EXPIRED):
        deadline_cancel(rule=rule, subject=document, note="superseded")


@transaction.atomic
def merchant_document_add(
    *,
    merchant: Merchant,
    kind: str,
    number: str,
    issuer: str,
    valid_from: date,
    valid_until: date | None,
    file: UploadedFile,
    actor: User,
) -> QualificationDocument:
    """MER-6, MER-7, SEC-4: a renewed or re-verified document; it supersedes the one of the same kind."""
    _require_owner(merchant=merchant, actor=actor)
    merchant = merchant_lock(merchant_id=merchant.pk)
    document = _document_create(
        merchant=merchant,
        kind=kind,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        file=file,
        actor=actor,
    )
    for older in merchant.documents.filter(kind=kind, superseded_at__isnull=True).exclude(pk=document.pk):
        older.superseded_at = clock.now()
        older.save(update_fields=["superseded_at"])
        _document_unschedule(older)
    _document_schedule(document)
    audit_record(
        actor=actor,
        action="merchant.document_uploaded",
        subject=merchant,
        after={"document": document.pk, "kind": kind},
    )
    return document


@transaction.atomic
def document_expiry_warn(*, document: QualificationDocument) -> None:
    """MER-7: warn the merchant that ``document`` expires soon."""
    if document.superseded_at is not None or document.merchant is None:
        return
    if document.merchant.status in (S.CLOSED, S.BANNED):
        return
    _notify_owner(
        document.merchant,
        event="merchant_document_expiring",
        title=_("A document expires soon"),
        body=_("%(document)s is valid until %(until)s. Upload the renewed one.")
        % {"document": str(document), "until": document.valid_until},
        subject=document,
    )


@transaction.atomic
def document_expire(*, document: QualificationDocument) -> None:
    """MER-7: the document expired today: the listings that need its kind are suspended (catalog's hook)."""
    if document.superseded_at is not None or document.merchant is None or document.expired_at is not None:
        return
    if document.merchant.status in (S.CLOSED, S.BANNED):
        return  # nothing of a shop that left is listed any more
    document.expired_at = clock.now()
    document.save(update_fields=["expired_at"])
    merchant = document.merchant
    for handler in document_expired_handlers:
        handler(merchant=merchant, document_kind=document.kind, document=document)
    audit_record(
        actor=None,
        action="merchant.document_expired",
        subject=merchant,
        after={"document": document.pk, "kind": document.kind},
    )
    _notify_owner(
        merchant,
        event="merchant_document_expired",
        title=_("A document expired"),
        body=_("%(document)s expired; listings that need it are suspended until you upload a valid one.")
        % {"document": str(document)},
        subject=document,
    )
