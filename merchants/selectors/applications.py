"""MER-1, MER-2, MER-3: applications; the review queue reads ``merchant_prior_record``."""

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from merchants.models import BASE_DOCUMENT_KINDS, Merchant, MerchantApplication
from merchants.selectors.standing import category_required_document_kinds
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.errors import NotFound


def application_required_document_kinds(*, application: MerchantApplication) -> list[str]:
    """MER-1: the base documents plus the industry licences of every category applied for."""
    kinds = list(BASE_DOCUMENT_KINDS)
    for category in application.categories.all():
        for kind in category_required_document_kinds(category=category):
            if kind not in kinds:
                kinds.append(kind)
    return kinds


def application_missing_document_kinds(*, application: MerchantApplication) -> list[str]:
    today = clock.localdate()
    held = {doc.kind for doc in application.documents.all() if doc.is_valid_on(today)}
    return [k for k in application_required_document_kinds(application=application) if k not in held]


def merchant_prior_record(*, credit_code: str, exclude_merchant_id: int | None = None) -> dict[str, Any]:
    """MER-3: earlier merchant accounts with this credit code, their status and violations."""
    earlier = (
        Merchant.objects.filter(credit_code=credit_code.strip().upper())
        .exclude(pk=exclude_merchant_id)
        .annotate(violation_count=Count("violations"))
        .order_by("created_at", "pk")
    )
    accounts = []
    for merchant in earlier:
        serious = list(merchant.violations.filter(track="serious").values_list("kind", flat=True))
        accounts.append(
            {
                "merchant_id": merchant.pk,
                "name": merchant.name,
                "status": merchant.status,
                "status_reason": merchant.status_reason,
                "violations": merchant.violation_count,
                "serious_violations": serious,
            }
        )
    return {
        "credit_code": credit_code,
        "accounts": accounts,
        "banned": [a for a in accounts if a["status"] == Merchant.Status.BANNED],
    }


def application_list_for_applicant(*, user: User) -> QuerySet[MerchantApplication]:
    return MerchantApplication.objects.filter(applicant=user).order_by("-created_at", "-pk")


def application_get_for_applicant(*, user: User, application_id: int) -> MerchantApplication:
    """SEC-1: another applicant's application does not exist for this user."""
    application = application_list_for_applicant(user=user).filter(pk=application_id).first()
    if application is None:
        raise NotFound(_("No such application."))
    return application


def application_review_queue() -> QuerySet[MerchantApplication]:
    """MER-2: submitted and under-review applications, oldest submission first."""
    return MerchantApplication.objects.filter(
        status__in=[MerchantApplication.Status.SUBMITTED, MerchantApplication.Status.UNDER_REVIEW]
    ).order_by("submitted_at", "pk")
