"""MER-6, MER-7, SEC-4: the merchant's qualification documents and re-verifications."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from merchants.clocks import RULE_CHANGE_VERIFY
from merchants.models import (
    DocumentKind,
    Merchant,
    MerchantChange,
    MerchantMember,
    QualificationDocument,
    Reverification,
)
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.calendar.services import add_working_days
from platform_core.deadlines.selectors import deadline_next_due
from platform_core.errors import NotFound


def document_get_for_viewer(*, user: User, document_id: int) -> QualificationDocument:
    """SEC-4: a document file is visible to the merchant's members, its applicant, and reviewers only."""
    document = (
        QualificationDocument.objects.select_related("application", "merchant").filter(pk=document_id).first()
    )
    if document is None or not user.is_authenticated:
        raise NotFound(_("No such document."))
    if user.is_staff and user.has_perm("merchants.review_merchantapplication"):
        return document
    if document.application is not None and document.application.applicant_id == user.pk:
        return document
    merchant_id = document.merchant_id or (document.application.merchant_id if document.application else None)
    if (
        merchant_id
        and MerchantMember.objects.filter(merchant_id=merchant_id, user=user, is_active=True).exists()
    ):
        return document
    raise NotFound(_("No such document."))


def document_list_current_for_merchant(*, merchant: Merchant) -> QuerySet[QualificationDocument]:
    """MER-6, MER-7: the shop's documents in force (each kind's latest), by kind."""
    return QualificationDocument.objects.filter(merchant=merchant, superseded_at__isnull=True).order_by(
        "kind", "-pk"
    )


#: MER-9 (ECL Art. 15): what the public profile shows: the business licence and the industry licences
#: (行政许可) — not the tax or organisation-code certificates, which the credit code replaced.
PUBLIC_LICENCE_KINDS: tuple[str, ...] = (
    DocumentKind.BUSINESS_LICENCE,
    DocumentKind.FOOD_LICENCE,
    DocumentKind.MEDICAL_DEVICE_LICENCE,
    DocumentKind.COSMETICS_LICENCE,
    DocumentKind.PUBLICATION_LICENCE,
)


def licence_list_public_for_merchant(*, merchant: Merchant) -> list[QualificationDocument]:
    """MER-9 (ECL Art. 15): the shop's business licence and industry licences valid today (each kind's
    current document), with number, issuer and validity; an expired or superseded one is not shown."""
    today = clock.localdate()
    documents = QualificationDocument.objects.filter(
        merchant=merchant, kind__in=PUBLIC_LICENCE_KINDS, superseded_at__isnull=True
    ).order_by("kind", "-pk")
    return [document for document in documents if document.is_valid_on(today)]


def document_list_expiring_for_merchant(*, merchant: Merchant) -> list[QualificationDocument]:
    """MER-7: the shop's current documents that expire within the first warning period, soonest first
    (at most 10: the dashboard's home page)."""
    horizon = clock.localdate() + timedelta(days=max(settings.MERCHANT_DOCUMENT_WARNING_DAYS, default=30))
    return list(
        QualificationDocument.objects.filter(
            merchant=merchant, superseded_at__isnull=True, valid_until__isnull=False, valid_until__lte=horizon
        ).order_by("valid_until", "pk")[:10]
    )


def reverification_list_for_merchant(*, merchant: Merchant) -> QuerySet[Reverification]:
    return Reverification.objects.filter(merchant=merchant).order_by("-opened_at", "-pk")


def reverification_open_for_merchant(*, merchant: Merchant) -> Reverification | None:
    """MER-6: the re-verification the shop still has to pass (open or submitted), with ``due_at``: when
    trading is suspended unless it has passed (the running overdue clock). ``None`` when none is due."""
    return (
        reverification_list_for_merchant(merchant=merchant)
        .exclude(status=Reverification.Status.PASSED)
        .annotate(due_at=deadline_next_due(Reverification))
        .first()
    )


# --- MER-6a: changes of registered information -----------------------------------------------------------


def change_list_for_merchant(*, merchant: Merchant) -> QuerySet[MerchantChange]:
    """MER-6a: the shop's change reports, the latest first, each with ``due_at``: staff's running
    7-working-day verification clock (None once decided)."""
    return (
        MerchantChange.objects.filter(merchant=merchant)
        .select_related("reported_by")
        .annotate(due_at=deadline_next_due(MerchantChange, rule=RULE_CHANGE_VERIFY))
        .order_by("-reported_at", "-pk")
    )


def change_report_duty_for_merchant(*, merchant: Merchant) -> dict[str, object] | None:
    """MER-6a: the shop's 3-working-day duty to report a change of its registered information, running
    since a qualification document was replaced after the last change report: the document and when the
    report is due (the end of the third working day after the upload). ``None`` when nothing is owed."""
    last_report = MerchantChange.objects.filter(merchant=merchant).order_by("-reported_at").first()
    documents = QualificationDocument.objects.filter(merchant=merchant, application__isnull=True)
    if last_report is not None:
        documents = documents.filter(uploaded_at__gt=last_report.reported_at)
    document = documents.order_by("uploaded_at", "pk").first()
    if document is None:
        return None
    uploaded = timezone.localtime(document.uploaded_at)
    day = add_working_days(uploaded.date(), settings.MERCHANT_CHANGE_REPORT_WORKING_DAYS)
    due = uploaded.replace(
        year=day.year, month=day.month, day=day.day, hour=23, minute=59, second=59, microsecond=0
    )
    return {"document": document, "due_at": due}
