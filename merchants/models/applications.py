"""The application for a shop (MER-1, MER-2) and the qualification documents (MER-1, MER-7, SEC-4)."""

import uuid
from datetime import date
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from merchants.models.merchant import Merchant
from merchants.validators import validate_credit_code
from platform_core import clock

#: MER-2: only staff holding this permission review applications, re-verifications and changes.
REVIEW_PERMISSION = "merchants.review_merchantapplication"


# --- MER-1, MER-2: the application ---------------------------------------------------------------


class MerchantApplication(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        NEEDS_MORE_INFO = "needs_more_info", _("Needs more information")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.NEEDS_MORE_INFO)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="merchant_applications"
    )
    shop_name = models.CharField(_("shop name"), max_length=100)
    legal_name = models.CharField(_("legal name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_credit_code], db_index=True
    )
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    registered_address = models.CharField(_("registered address"), max_length=300)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    contact_email = models.EmailField(_("contact email"))
    categories = models.ManyToManyField("catalog.Category", related_name="merchant_applications")
    status = FSMField(choices=Status.choices, default=Status.DRAFT, protected=True)
    created_at = models.DateTimeField(default=clock.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    # MER-3: the prior record by credit code, as the reviewer saw it at submission
    prior_record = models.JSONField(default=dict, blank=True)
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )

    class Meta:
        ordering = ["submitted_at", "pk"]
        permissions = [("review_merchantapplication", _("Can review merchant applications"))]

    def __str__(self) -> str:
        return gettext("%(shop)s (%(code)s)") % {"shop": self.shop_name, "code": self.credit_code}

    @transition(field=status, source=[Status.DRAFT, Status.NEEDS_MORE_INFO], target=Status.SUBMITTED)
    def submit(self) -> None:
        self.submitted_at = clock.now()

    @transition(
        field=status, source=Status.SUBMITTED, target=Status.UNDER_REVIEW, permission=REVIEW_PERMISSION
    )
    def start_review(self, *, reviewer: Any) -> None:
        self.reviewer = reviewer

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.UNDER_REVIEW],
        target=Status.APPROVED,
        permission=REVIEW_PERMISSION,
        custom={"label": _("Approve")},
    )
    def approve(self, *, reviewer: Any, reason: str) -> None:
        self._decide(reviewer=reviewer, reason=reason)

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.UNDER_REVIEW],
        target=Status.REJECTED,
        permission=REVIEW_PERMISSION,
        custom={"label": _("Reject")},
    )
    def reject(self, *, reviewer: Any, reason: str) -> None:
        self._decide(reviewer=reviewer, reason=reason)

    @transition(
        field=status,
        source=[Status.SUBMITTED, Status.UNDER_REVIEW],
        target=Status.NEEDS_MORE_INFO,
        permission=REVIEW_PERMISSION,
        custom={"label": _("Needs more information")},
    )
    def request_more_info(self, *, reviewer: Any, reason: str) -> None:
        self._decide(reviewer=reviewer, reason=reason)

    def _decide(self, *, reviewer: Any, reason: str) -> None:
        self.reviewer = reviewer  # None: the system decided (MER-3 auto-refusal)
        self.decision_reason = reason
        self.decided_at = clock.now()


class DocumentKind(models.TextChoices):
    """Qualification documents (MER-1); categories name the industry licences they need."""

    BUSINESS_LICENCE = "business_licence", _("Business licence")
    TAX_REGISTRATION = "tax_registration", _("Tax registration certificate")
    ORGANISATION_CODE = "organisation_code", _("Organisation code certificate")
    FOOD_LICENCE = "food_licence", _("Food business licence")
    MEDICAL_DEVICE_LICENCE = "medical_device_licence", _("Medical device business licence")
    COSMETICS_LICENCE = "cosmetics_licence", _("Cosmetics production licence")
    PUBLICATION_LICENCE = "publication_licence", _("Publication business licence")


#: Every applicant needs these, whatever its categories (MER-1).
BASE_DOCUMENT_KINDS: tuple[str, ...] = (DocumentKind.BUSINESS_LICENCE, DocumentKind.TAX_REGISTRATION)


def document_upload_to(instance: "QualificationDocument", filename: str) -> str:
    """SEC-4: a random name; the extension follows the detected content, never the client's name."""
    suffix = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        instance.content_type, PurePath(filename).suffix[:8]
    )
    return f"merchants/documents/{uuid.uuid4().hex}{suffix}"


class QualificationDocument(models.Model):
    """A licence or certificate with its number, issuer and validity (MER-1, MER-7)."""

    application = models.ForeignKey(
        MerchantApplication, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=40, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=100)
    issuer = models.CharField(_("issuer"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: long-term."))
    file = models.FileField(upload_to=document_upload_to)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)
    # A newer document of the same kind replaces this one (re-verification, renewal).
    superseded_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self) -> None:
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity is before its start.")})

    def is_valid_on(self, day: date) -> bool:
        return (
            self.superseded_at is None
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )
