"""MER-1, MER-2, MER-3: a merchant application, from draft through review to approval."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Category
from merchants.clocks import RULE_APPLICATION_REVIEW
from merchants.models import Merchant, MerchantApplication, MerchantMember, QualificationDocument
from merchants.selectors.applications import application_missing_document_kinds, merchant_prior_record
from merchants.selectors.standing import agreement_current
from merchants.services._common import _require_reviewer
from merchants.services.documents import _document_create, _document_schedule
from merchants.services.lifecycle import merchant_activate
from merchants.validators import validate_credit_code
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.accounts.services import user_grant_role
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Conflict, InvalidInput
from platform_core.locking import lock
from platform_core.notifications.services import notify

APPLICATION_FIELDS = (
    "shop_name",
    "legal_name",
    "credit_code",
    "legal_representative",
    "registered_address",
    "contact_phone",
    "contact_email",
)


def _credit_code_checked(value: object) -> str:
    """MER-1: the normalised code, or a ValidationError on the ``credit_code`` field with the reason."""
    code = str(value or "").strip().upper()
    try:
        validate_credit_code(code)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.messages}) from None
    return code


def _set_categories(application: MerchantApplication, category_ids: Iterable[int]) -> None:
    ids = list(dict.fromkeys(category_ids))
    categories = list(Category.objects.filter(pk__in=ids))
    if len(categories) != len(ids) or not ids:
        raise InvalidInput(
            _("Choose at least one existing category."),
            code="invalid_categories",
            errors={"category_ids": [_("Choose at least one existing category.")]},
        )
    application.categories.set(categories)


@transaction.atomic
def application_create(
    *, applicant: User, category_ids: Iterable[int], actor: User, **fields: Any
) -> MerchantApplication:
    """MER-1: start an application (draft). One open application per applicant; rejected ones may re-apply."""
    if MerchantApplication.objects.filter(
        applicant=applicant, status__in=MerchantApplication.OPEN_STATUSES
    ).exists():
        raise Conflict(_("You already have an open application."), code="application_open")
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown application fields: {sorted(unknown)}", code="unknown_fields")
    fields["credit_code"] = _credit_code_checked(fields.get("credit_code", ""))
    application = MerchantApplication.objects.create(applicant=applicant, **fields)
    _set_categories(application, category_ids)
    audit_record(actor=actor, action="merchant.application_created", subject=application)
    return application


def _require_editable(application: MerchantApplication) -> None:
    if application.status not in (
        MerchantApplication.Status.DRAFT,
        MerchantApplication.Status.NEEDS_MORE_INFO,
    ):
        raise Conflict(_("The application can no longer be changed."), code="application_not_editable")


@transaction.atomic
def application_update(
    *, application: MerchantApplication, actor: User, category_ids: Iterable[int] | None = None, **fields: Any
) -> MerchantApplication:
    """MER-1: change a draft (or an application sent back for more information)."""
    application = lock(MerchantApplication, application.pk)
    _require_editable(application)
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown application fields: {sorted(unknown)}", code="unknown_fields")
    if "credit_code" in fields:
        fields["credit_code"] = _credit_code_checked(fields["credit_code"])
    for name, value in fields.items():
        setattr(application, name, value)
    application.save()
    if category_ids is not None:
        _set_categories(application, category_ids)
    audit_record(actor=actor, action="merchant.application_updated", subject=application, after=fields)
    return application


@transaction.atomic
def application_document_add(
    *,
    application: MerchantApplication,
    kind: str,
    number: str,
    issuer: str,
    valid_from: date,
    valid_until: date | None,
    file: UploadedFile,
    actor: User,
) -> QualificationDocument:
    """MER-1, SEC-4: attach a qualification document (PDF/JPEG/PNG by content, size-capped).

    A newer document of the same kind supersedes the earlier one.
    """
    application = lock(MerchantApplication, application.pk)
    _require_editable(application)
    document = _document_create(
        application=application,
        kind=kind,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        file=file,
        actor=actor,
    )
    application.documents.filter(kind=kind, superseded_at__isnull=True).exclude(pk=document.pk).update(
        superseded_at=clock.now()
    )
    audit_record(
        actor=actor,
        action="merchant.document_uploaded",
        subject=application,
        after={"document": document.pk, "kind": kind, "number": number},
    )
    return document


@transaction.atomic
def application_submit(*, application: MerchantApplication, actor: User) -> MerchantApplication:
    """MER-1, MER-2, MER-3: submit for review; refused while documents are missing.

    The prior record by credit code is stored for the reviewer; a banned predecessor refuses the
    application at once, with the reason. Otherwise the 3-working-day review clock starts.
    """
    application = lock(MerchantApplication, application.pk)
    missing = application_missing_document_kinds(application=application)
    if missing:
        raise InvalidInput(
            _("Documents are missing: %(kinds)s.") % {"kinds": ", ".join(missing)},
            code="documents_missing",
            errors={"documents": missing},
        )
    application.submit()
    application.prior_record = merchant_prior_record(credit_code=application.credit_code)
    application.save()
    audit_record(actor=actor, action="merchant.application_submitted", subject=application)
    banned = application.prior_record["banned"]
    if banned:
        names = ", ".join(f"{b['name']} (#{b['merchant_id']}): {b['status_reason']}" for b in banned)
        reason = _("An earlier shop with this credit code was banned: %(names)s") % {"names": names}
        application.reject(reviewer=None, reason=reason)
        application.save()
        audit_record(actor=None, action="merchant.application_refused", subject=application, reason=reason)
        notify(
            recipient=application.applicant,
            event="merchant_application_refused",
            title=_("Your application was refused"),
            body=reason,
            subject=application,
        )
        return application
    deadline_start(
        rule=RULE_APPLICATION_REVIEW,
        subject=application,
        working_days=settings.MERCHANT_APPLICATION_REVIEW_WORKING_DAYS,
    )
    return application


@transaction.atomic
def application_start_review(*, application: MerchantApplication, actor: User) -> MerchantApplication:
    """MER-2: a reviewer takes the application."""
    _require_reviewer(actor)
    application = lock(MerchantApplication, application.pk)
    application.start_review(reviewer=actor)
    application.save()
    audit_record(actor=actor, action="merchant.application_review_started", subject=application)
    return application


def _decide(
    application: MerchantApplication, *, transition: str, reason: str, actor: User, past: str
) -> MerchantApplication:
    _require_reviewer(actor)
    if not reason.strip():
        raise InvalidInput(
            _("Give the reason for the decision."), code="reason_missing", errors={"reason": [_("Required.")]}
        )
    application = lock(MerchantApplication, application.pk)
    if application.status == MerchantApplication.Status.SUBMITTED:
        application.start_review(reviewer=actor)
    getattr(application, transition)(reviewer=actor, reason=reason)
    application.save()
    deadline_meet(rule=RULE_APPLICATION_REVIEW, subject=application)
    audit_record(actor=actor, action=f"merchant.application_{past}", subject=application, reason=reason)
    notify(
        recipient=application.applicant,
        event=f"merchant_application_{past}",
        title=_("Your merchant application: %(status)s") % {"status": application.get_status_display()},
        body=reason,
        subject=application,
    )
    return application


@transaction.atomic
def application_reject(*, application: MerchantApplication, reason: str, actor: User) -> MerchantApplication:
    """MER-2: refuse; the applicant may apply again."""
    return _decide(application, transition="reject", reason=reason, actor=actor, past="rejected")


@transaction.atomic
def application_request_more_info(
    *, application: MerchantApplication, reason: str, actor: User
) -> MerchantApplication:
    """MER-2: send back for more information; the applicant edits and submits again."""
    return _decide(application, transition="request_more_info", reason=reason, actor=actor, past="returned")


@transaction.atomic
def application_approve(*, application: MerchantApplication, reason: str, actor: User) -> MerchantApplication:
    """MER-2, MER-4: approve; the merchant is created with its owner, categories and documents.

    It is active at once if there is no agreement in force, otherwise once the owner accepts it (MER-4).
    """
    application = _decide(application, transition="approve", reason=reason, actor=actor, past="approved")
    merchant = Merchant.objects.create(
        name=application.shop_name,
        legal_name=application.legal_name,
        credit_code=application.credit_code,
        owner=application.applicant,
        legal_representative=application.legal_representative,
        registered_address=application.registered_address,
        contact_phone=application.contact_phone,
        contact_email=application.contact_email,
    )
    merchant.categories.set(application.categories.all())
    MerchantMember.objects.create(
        merchant=merchant, user=application.applicant, role=MerchantMember.Role.OWNER
    )
    user_grant_role(user=application.applicant, role=Role.MERCHANT_OWNER)
    application.merchant = merchant
    application.save(update_fields=["merchant"])
    for document in application.documents.filter(superseded_at__isnull=True):
        document.merchant = merchant
        document.save(update_fields=["merchant"])
        _document_schedule(document)
    audit_record(
        actor=actor, action="merchant.created", subject=merchant, after={"application": application.pk}
    )
    if agreement_current() is None:
        application.merchant = merchant_activate(merchant=merchant, reason=reason, actor=actor)
    return application
