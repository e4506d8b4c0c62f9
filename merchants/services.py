"""Writes for merchants: onboarding (MER-1..3), agreements (MER-4), deposits (MER-5), re-verification,
changes and documents (MER-6, MER-6a, MER-7), the lifecycle (MER-8), members and violations (VIO-1).

Hooks other apps register on (from their ``hooks.py``; ``platform_core.hooks``):

- ``closure_checks``: ``check(merchant) -> list[str]`` returning what is still pending for the merchant
  (open orders, after-sales); closure is refused while any is non-empty (MER-8).
- ``document_expired_handlers``: ``handler(*, merchant, document_kind, document) -> None`` called when a
  merchant's document of ``document_kind`` expires; catalog suspends exactly the listings whose category
  requires that kind (MER-7).

The figures behind credit (REP-3) and KPIs (VIO-6) come from ``merchants.selectors.rating_sources`` and
``kpi_sources``.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category
from merchants.models import (
    APPEAL_DECIDE_PERMISSION,
    REVIEW_PERMISSION,
    AgreementAcceptance,
    Merchant,
    MerchantApplication,
    MerchantChange,
    MerchantCreditSnapshot,
    MerchantKpi,
    MerchantMember,
    MerchantStatusChange,
    Penalty,
    PlatformAgreement,
    QualificationDocument,
    Reverification,
    Violation,
    ViolationAppeal,
)
from merchants.policies import (
    KPI_WINDOW_DAYS,
    VIOLATION_POLICY,
    PenaltyThreshold,
    credit_policy,
    kpi_policy,
    penalty_thresholds,
)
from merchants.selectors import (
    agreement_current,
    application_missing_document_kinds,
    closure_pending_from_ledger,
    credit_compute,
    kpi_evaluate,
    kpi_window,
    merchant_credit_inputs,
    merchant_deposit_balance,
    merchant_figures,
    merchant_has_accepted_current_agreement,
    merchant_prior_record,
    merchant_required_deposit,
    merchant_track_points,
    penalties_in_force,
    year_bounds,
)
from merchants.uploads import upload_sniff
from merchants.validators import validate_credit_code
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.accounts.services import user_grant_role
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_cancel, deadline_meet, deadline_restart, deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from platform_core.hooks import Hook
from platform_core.ledger.models import AccountKind, LedgerTransaction, TransactionKind
from platform_core.ledger.services import ledger_account_for, ledger_post
from platform_core.locking import lock
from platform_core.money import is_whole_cents
from platform_core.notifications.services import notify
from platform_core.org.departments import DepartmentCode, department_head

closure_checks = Hook[Callable[[Merchant], list[str]]](
    "merchants.closure_checks",
    doc=(
        "MER-8: what still keeps the merchant from closing (open orders, after-sales requests and "
        "complaints), as sentences shown to the merchant; closure and the deposit refund are refused "
        "while any check returns one. Money held on the ledger is checked by merchants itself."
    ),
)


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


# Deadline rule names (handlers in merchants/deadlines.py)
RULE_APPLICATION_REVIEW = "merchants.application_review"
RULE_AGREEMENT_EFFECTIVE = "merchants.agreement_effective"
RULE_REVERIFY_DUE = "merchants.reverify_due"
RULE_REVERIFY_OVERDUE = "merchants.reverify_overdue"
RULE_CHANGE_VERIFY = "merchants.change_verify"
RULE_DOCUMENT_FIRST_WARNING = "merchants.document_expiry_first_warning"
RULE_DOCUMENT_LAST_WARNING = "merchants.document_expiry_last_warning"
RULE_DOCUMENT_EXPIRED = "merchants.document_expired"
RULE_PENALTY_END = "merchants.penalty_end"
RULE_PENALTY_PUBLISH = "merchants.penalty_publish"
RULE_APPEAL_REVIEW = "merchants.appeal_review"

S = Merchant.Status
C = Merchant.Cause


# --- helpers ------------------------------------------------------------------------------------------


def _require_reviewer(actor: User | None) -> None:
    if actor is None or not actor.is_staff or not actor.has_perm(REVIEW_PERMISSION):
        raise Forbidden(
            _("Only staff with the merchant-review permission may do this."), code="not_a_reviewer"
        )


def _require_appeal_reviewer(actor: User | None) -> None:
    """VIO-3, VIO-4: deciding appeals and lifting or publishing penalties by hand is compliance's."""
    if actor is None or not actor.is_staff or not actor.has_perm(APPEAL_DECIDE_PERMISSION):
        raise Forbidden(
            _("Only staff who decide violation appeals may do this."), code="not_an_appeal_reviewer"
        )


def _require_owner(*, merchant: Merchant, actor: User) -> None:
    if not MerchantMember.objects.filter(
        merchant=merchant, user=actor, role=MerchantMember.Role.OWNER, is_active=True
    ).exists():
        raise Forbidden(_("Only the shop owner may do this."), code="not_the_owner")


def _notify_owner(merchant: Merchant, *, event: str, title: str, body: str, subject: Any = None) -> None:
    notify(recipient=merchant.owner, event=event, title=title, body=body, subject=subject or merchant)


def _notify_staff(
    *, event: str, title: str, body: str, subject: Any, role: str = Role.STAFF_OPERATIONS
) -> set[int]:
    """OPS-3: tell a department's staff (operations unless ``role`` says otherwise); returns who was told."""
    group = Group.objects.filter(name=role).first()
    if group is None:
        return set()
    told = set()
    for user in User.objects.filter(groups=group, is_active=True).order_by("pk"):
        notify(recipient=user, event=event, title=title, body=body, subject=subject)
        told.add(user.pk)
    return told


def _change_status(
    merchant: Merchant, *, move: Callable[[], Any], cause: str, reason: str, actor: User | None
) -> None:
    """Run ``move`` (a bound transition), save, and record the change with its cause (MER-8)."""
    before = merchant.status
    move()
    merchant.status_reason = reason[:500]
    merchant.save()
    MerchantStatusChange.objects.create(
        merchant=merchant,
        from_status=before,
        to_status=merchant.status,
        cause=cause,
        reason=reason[:500],
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=f"merchant.{_PAST[move.__name__]}",
        subject=merchant,
        before={"status": before},
        after={"status": merchant.status, "cause": cause},
        reason=reason,
    )


_PAST = {
    "activate": "activated",
    "restrict": "restricted",
    "unrestrict": "unrestricted",
    "suspend": "suspended",
    "reinstate": "reinstated",
    "close": "closed",
    "ban": "banned",
}


# --- MER-8: lifecycle ---------------------------------------------------------------------------------


@transaction.atomic
def merchant_activate(*, merchant: Merchant, reason: str, actor: User | None) -> Merchant:
    """MER-8, MER-6: onboarding → active; the six-monthly re-verification clock starts."""
    merchant = merchant_lock(merchant_id=merchant.pk)
    _change_status(merchant, move=merchant.activate, cause=C.APPLICATION, reason=reason, actor=actor)
    deadline_restart(rule=RULE_REVERIFY_DUE, subject=merchant, after=settings.MERCHANT_REVERIFY_INTERVAL)
    _notify_owner(
        merchant, event="merchant_activated", title=_("Your shop is open"), body=_("Your shop may now trade.")
    )
    return merchant


@transaction.atomic
def merchant_restrict(*, merchant: Merchant, cause: str, reason: str, actor: User | None) -> Merchant:
    """MER-8 (MER-4, MER-5): restrict from new listings for ``cause``; idempotent per cause.

    A suspended merchant keeps the cause, so reinstatement brings it back restricted.
    """
    if cause not in C.values:
        raise InvalidInput(_("Unknown cause."), code="unknown_cause")
    merchant = merchant_lock(merchant_id=merchant.pk)
    if merchant.status not in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        raise Conflict(
            _("A %(status)s shop cannot be restricted.") % {"status": merchant.get_status_display()},
            code="merchant_not_trading",
        )
    if cause in merchant.restriction_causes:
        return merchant
    merchant.restriction_causes = [*merchant.restriction_causes, cause]
    if merchant.status == S.ACTIVE:
        _change_status(merchant, move=merchant.restrict, cause=cause, reason=reason, actor=actor)
    else:
        _record_cause_change(
            merchant,
            field="restriction_causes",
            action="merchant.restriction_added",
            cause=cause,
            reason=reason,
            actor=actor,
        )
    _notify_owner(
        merchant,
        event="merchant_restricted",
        title=_("Your shop is restricted"),
        body=_("New listings are blocked: %(reason)s") % {"reason": reason},
    )
    return merchant


def _record_cause_change(
    merchant: Merchant, *, field: str, action: str, cause: str, reason: str, actor: User | None
) -> None:
    """A cause was added to or lifted from a shop whose status stays as it is: save the list, audit it."""
    merchant.save(update_fields=[field])
    audit_record(actor=actor, action=action, subject=merchant, after={"cause": cause}, reason=reason)


def _cause_lift(
    merchant: Merchant,
    *,
    field: str,
    status: str,
    move: str,
    action: str,
    cause: str,
    reason: str,
    actor: User | None,
) -> Merchant:
    """MER-8: take ``cause`` off the (locked) shop's list ``field``; when the list empties and the shop is
    in ``status``, make the transition ``move``, otherwise record the lifted cause as ``action``."""
    merchant = merchant_lock(merchant_id=merchant.pk)
    causes: list[str] = getattr(merchant, field)
    if cause not in causes:
        return merchant
    remaining = [c for c in causes if c != cause]
    setattr(merchant, field, remaining)
    if merchant.status == status and not remaining:
        _change_status(merchant, move=getattr(merchant, move), cause=cause, reason=reason, actor=actor)
    else:
        _record_cause_change(merchant, field=field, action=action, cause=cause, reason=reason, actor=actor)
    return merchant


@transaction.atomic
def merchant_unrestrict(*, merchant: Merchant, cause: str, reason: str, actor: User | None) -> Merchant:
    """MER-8: lift the restriction for ``cause``; the shop is active again when no cause is left."""
    return _cause_lift(
        merchant,
        field="restriction_causes",
        status=S.RESTRICTED,
        move="unrestrict",
        action="merchant.restriction_lifted",
        cause=cause,
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def merchant_suspend(*, merchant: Merchant, cause: str, reason: str, actor: User | None) -> Merchant:
    """MER-8 (MER-6): suspend trading for ``cause`` (listings hidden by catalog); idempotent per cause."""
    if cause not in C.values:
        raise InvalidInput(_("Unknown cause."), code="unknown_cause")
    merchant = merchant_lock(merchant_id=merchant.pk)
    if merchant.status not in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        raise Conflict(
            _("A %(status)s shop cannot be suspended.") % {"status": merchant.get_status_display()},
            code="merchant_not_trading",
        )
    if cause in merchant.suspension_causes:
        return merchant
    merchant.suspension_causes = [*merchant.suspension_causes, cause]
    if merchant.status == S.SUSPENDED:
        _record_cause_change(
            merchant,
            field="suspension_causes",
            action="merchant.suspension_added",
            cause=cause,
            reason=reason,
            actor=actor,
        )
    else:
        _change_status(merchant, move=merchant.suspend, cause=cause, reason=reason, actor=actor)
    _notify_owner(
        merchant,
        event="merchant_suspended",
        title=_("Your shop is suspended"),
        body=_("Trading is suspended: %(reason)s") % {"reason": reason},
    )
    return merchant


@transaction.atomic
def merchant_reinstate(*, merchant: Merchant, cause: str, reason: str, actor: User | None) -> Merchant:
    """MER-8: lift the suspension for ``cause``; trading resumes when no suspension cause is left."""
    return _cause_lift(
        merchant,
        field="suspension_causes",
        status=S.SUSPENDED,
        move="reinstate",
        action="merchant.suspension_lifted",
        cause=cause,
        reason=reason,
        actor=actor,
    )


def merchant_closure_pending(*, merchant: Merchant) -> list[str]:
    """MER-8: everything that still blocks closure: other apps' checks, then money held for the merchant."""
    pending: list[str] = []
    for check in closure_checks:
        pending.extend(check(merchant))
    pending.extend(closure_pending_from_ledger(merchant=merchant))
    return pending


def _stop_clocks(merchant: Merchant) -> None:
    deadline_cancel(rule=RULE_REVERIFY_DUE, subject=merchant, note="merchant left")
    for reverification in merchant.reverifications.exclude(status=Reverification.Status.PASSED):
        deadline_cancel(rule=RULE_REVERIFY_OVERDUE, subject=reverification, note="merchant left")


@transaction.atomic
def merchant_close(*, merchant: Merchant, reason: str, actor: User | None) -> Merchant:
    """MER-8: close the shop, refused (Conflict ``closure_pending``) while anything is pending.

    Orders and after-sales register their checks on ``closure_checks``; the deposit and the
    payable must be settled to zero (the deposit is refunded with ``merchant_deposit_refund``). The
    merchant's records are kept (MER-10): closing never deletes.
    """
    merchant = merchant_lock(merchant_id=merchant.pk)
    pending = merchant_closure_pending(merchant=merchant)
    if pending:
        raise Conflict(
            _("The shop cannot close yet: %(pending)s") % {"pending": " ".join(pending)},
            code="closure_pending",
            errors={"pending": pending},
        )
    _change_status(merchant, move=merchant.close, cause=C.CLOSURE, reason=reason, actor=actor)
    _stop_clocks(merchant)
    return merchant


@transaction.atomic
def merchant_ban(*, merchant: Merchant, reason: str, actor: User | None) -> Merchant:
    """MER-8, MER-3: ban for good (terminal); a later application with the same credit code is refused."""
    if not reason.strip():
        raise InvalidInput(_("A ban needs a reason."), code="reason_missing")
    merchant = merchant_lock(merchant_id=merchant.pk)
    cause = C.STAFF if actor is not None else C.VIOLATION
    _change_status(merchant, move=merchant.ban, cause=cause, reason=reason, actor=actor)
    _stop_clocks(merchant)
    return merchant


# --- MER-1, MER-2, MER-3: application -----------------------------------------------------------------

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
        superseded_at=timezone.now()
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


# --- MER-4: agreements --------------------------------------------------------------------------------


@transaction.atomic
def agreement_publish(
    *, version: str, title: str, body: str, effective_at: datetime, actor: User
) -> PlatformAgreement:
    """MER-4 (ECL Art. 34), MER-10, STF-6: publish a version now, taking effect at least 7 days later.

    Only holders of the publishing permission publish platform rules and agreements. Versions are never
    edited or deleted. When it takes effect, merchants who have not accepted it are restricted (deadline
    ``merchants.agreement_effective``).
    """
    if not actor.has_perm("staff.publish_announcement"):
        raise Forbidden(
            _("Only staff with the publishing permission may publish platform agreements and rules."),
            code="not_a_publisher",
        )
    now = timezone.now()
    if effective_at < now + settings.MERCHANT_AGREEMENT_NOTICE:
        raise InvalidInput(
            _("A new agreement takes effect at least %(days)d days after it is published.")
            % {"days": settings.MERCHANT_AGREEMENT_NOTICE.days},
            code="agreement_notice_too_short",
            errors={"effective_at": [_("Too early.")]},
        )
    if PlatformAgreement.objects.filter(version=version).exists():
        raise Conflict(_("This agreement version already exists."), code="agreement_version_exists")
    agreement = PlatformAgreement.objects.create(
        version=version, title=title, body=body, published_at=now, effective_at=effective_at, created_by=actor
    )
    deadline_start(rule=RULE_AGREEMENT_EFFECTIVE, subject=agreement, due_at=effective_at)
    audit_record(
        actor=actor, action="merchant.agreement_published", subject=agreement, after={"version": version}
    )
    for merchant in Merchant.objects.filter(status__in=[S.ACTIVE, S.RESTRICTED, S.SUSPENDED]).select_related(
        "owner"
    ):
        _notify_owner(
            merchant,
            event="merchant_agreement_published",
            title=_("New platform agreement: %(title)s") % {"title": title},
            body=_("It takes effect on %(when)s; accept it to keep trading.")
            % {"when": effective_at.isoformat()},
            subject=agreement,
        )
    return agreement


@transaction.atomic
def agreement_take_effect(*, agreement: PlatformAgreement) -> int:
    """MER-4: restrict every trading merchant that has not accepted ``agreement``; returns how many."""
    accepted = AgreementAcceptance.objects.filter(agreement=agreement).values("merchant_id")
    count = 0
    for merchant in (
        Merchant.objects.filter(status__in=[S.ACTIVE, S.RESTRICTED, S.SUSPENDED])
        .exclude(pk__in=accepted)
        .order_by("pk")
    ):
        merchant_restrict(
            merchant=merchant,
            cause=C.AGREEMENT,
            reason=_("Platform agreement %(version)s not accepted.") % {"version": agreement.version},
            actor=None,
        )
        count += 1
    return count


@transaction.atomic
def agreement_accept(
    *, merchant: Merchant, agreement: PlatformAgreement, actor: User, ip: str | None
) -> AgreementAcceptance:
    """MER-4: the owner accepts ``agreement``; version, time, IP and user are kept. Idempotent.

    Accepting the agreement in force opens an approved shop, and lifts an agreement restriction.
    """
    _require_owner(merchant=merchant, actor=actor)
    now = timezone.now()
    current = agreement_current()
    if agreement.published_at > now or (
        current is not None and agreement.effective_at < current.effective_at
    ):
        raise Conflict(_("This agreement version cannot be accepted."), code="agreement_not_acceptable")
    acceptance, created = AgreementAcceptance.objects.get_or_create(
        agreement=agreement, merchant=merchant, defaults={"user": actor, "ip": ip, "accepted_at": now}
    )
    if not created:
        return acceptance
    audit_record(
        actor=actor,
        action="merchant.agreement_accepted",
        subject=merchant,
        after={"version": agreement.version, "ip": ip},
    )
    merchant = merchant_lock(merchant_id=merchant.pk)
    if merchant_has_accepted_current_agreement(merchant=merchant):
        if merchant.status == S.ONBOARDING:
            merchant_activate(merchant=merchant, reason=_("Platform agreement accepted."), actor=actor)
        elif C.AGREEMENT in merchant.restriction_causes:
            merchant_unrestrict(
                merchant=merchant, cause=C.AGREEMENT, reason=_("Platform agreement accepted."), actor=actor
            )
    return acceptance


# --- MER-5: deposits ----------------------------------------------------------------------------------


def _check_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or amount <= 0 or not is_whole_cents(amount):
        raise InvalidInput(_("The amount must be a positive sum in yuan and fen."), code="invalid_amount")
    return amount


@transaction.atomic
def merchant_deposit_credit(
    *, merchant: Merchant, amount: Decimal, payment_reference: str, idempotency_key: str, actor: User | None
) -> LedgerTransaction:
    """MER-5, PAY-7: a confirmed deposit payment: customer_payments_clearing → merchant_deposit.

    The same key posts once. Reaching the required amount lifts a deposit restriction.
    """
    _check_amount(amount)
    if (existing := LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()) is not None:
        return existing
    merchant = merchant_lock(merchant_id=merchant.pk)
    txn = ledger_post(
        idempotency_key=idempotency_key,
        kind=TransactionKind.DEPOSIT_PAYMENT,
        postings=[
            (ledger_account_for(kind=AccountKind.CUSTOMER_PAYMENTS_CLEARING), -amount),
            (ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=merchant), amount),
        ],
        memo=f"deposit payment {payment_reference}",
        subject=merchant,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="merchant.deposit_credited",
        subject=merchant,
        after={"amount": amount, "payment_reference": payment_reference, "transaction": txn.pk},
    )
    if C.DEPOSIT in merchant.restriction_causes and merchant_deposit_balance(
        merchant=merchant
    ) >= merchant_required_deposit(merchant=merchant):
        merchant_unrestrict(merchant=merchant, cause=C.DEPOSIT, reason=_("Deposit topped up."), actor=actor)
    return txn


DEDUCTION_TARGETS = {
    "penalty": (AccountKind.PENALTY_INCOME, TransactionKind.PENALTY),
    "compensation": (AccountKind.COMPENSATION, TransactionKind.COMPENSATION),
}


@transaction.atomic
def merchant_deposit_deduct(
    *, merchant: Merchant, amount: Decimal, reason: str, kind: str, idempotency_key: str, actor: User | None
) -> LedgerTransaction:
    """MER-5: draw a penalty (→ penalty_income) or compensation (→ compensation) from the deposit.

    ``Conflict`` (insufficient_funds) if the deposit cannot cover it. Falling below the required amount
    restricts new listings and tells the merchant.
    """
    _check_amount(amount)
    if kind not in DEDUCTION_TARGETS:
        raise InvalidInput(_("A deduction is a penalty or compensation."), code="invalid_deduction_kind")
    if not reason.strip():
        raise InvalidInput(_("A deduction needs a reason."), code="reason_missing")
    if (existing := LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()) is not None:
        return existing
    merchant = merchant_lock(merchant_id=merchant.pk)
    target_kind, txn_kind = DEDUCTION_TARGETS[kind]
    txn = ledger_post(
        idempotency_key=idempotency_key,
        kind=txn_kind,
        postings=[
            (ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=merchant), -amount),
            (ledger_account_for(kind=target_kind), amount),
        ],
        memo=reason,
        subject=merchant,
        actor=actor,
    )
    merchant_deposit_drawn(merchant=merchant, amount=amount, kind=kind, reason=reason, actor=actor)
    return txn


def merchant_lock(*, merchant_id: int) -> Merchant:
    """The merchant row, locked until the transaction ends. Services of other apps that post to the
    merchant's deposit lock it first (before the ledger accounts), as ``merchant_deposit_deduct`` does."""
    return lock(Merchant, merchant_id)


def merchant_deposit_drawn(
    *, merchant: Merchant, amount: Decimal, kind: str, reason: str, actor: User | None
) -> None:
    """MER-5: ``amount`` has just left the (locked) merchant's deposit — a penalty, compensation, or a
    refund its payable could not cover (PAY-5): record it, tell the merchant, and restrict new listings
    if the deposit is now below the required amount."""
    audit_record(
        actor=actor,
        action="merchant.deposit_deducted",
        subject=merchant,
        after={"amount": amount, "kind": kind},
        reason=reason,
    )
    balance, required = (
        merchant_deposit_balance(merchant=merchant),
        merchant_required_deposit(merchant=merchant),
    )
    _notify_owner(
        merchant,
        event="merchant_deposit_deducted",
        title=_("Deposit deduction"),
        body=_("%(amount)s CNY was deducted from your deposit: %(reason)s")
        % {"amount": amount, "reason": reason},
    )
    if balance < required and merchant.status in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        merchant_restrict(
            merchant=merchant,
            cause=C.DEPOSIT,
            reason=_("Deposit %(balance)s CNY is below the required %(required)s CNY.")
            % {"balance": balance, "required": required},
            actor=actor,
        )


@transaction.atomic
def merchant_deposit_refund(
    *, merchant: Merchant, idempotency_key: str, actor: User | None
) -> LedgerTransaction:
    """MER-5, MER-8: return the remaining deposit once every other obligation is settled (before closure)."""
    if (existing := LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()) is not None:
        return existing
    merchant = merchant_lock(merchant_id=merchant.pk)
    pending = [p for check in closure_checks for p in check(merchant)]
    if pending:
        raise Conflict(
            _("The deposit is returned after everything is settled: %(pending)s")
            % {"pending": " ".join(pending)},
            code="closure_pending",
            errors={"pending": pending},
        )
    deposit = ledger_account_for(kind=AccountKind.MERCHANT_DEPOSIT, owner=merchant)
    deposit.refresh_from_db()
    if deposit.balance <= 0:
        raise Conflict(_("There is no deposit to return."), code="nothing_to_refund")
    amount = deposit.balance
    txn = ledger_post(
        idempotency_key=idempotency_key,
        kind=TransactionKind.DEPOSIT_REFUND,
        postings=[(deposit, -amount), (ledger_account_for(kind=AccountKind.PAYOUT_CLEARING), amount)],
        memo="deposit refund",
        subject=merchant,
        actor=actor,
    )
    audit_record(actor=actor, action="merchant.deposit_refunded", subject=merchant, after={"amount": amount})
    if merchant.status in (S.ACTIVE, S.RESTRICTED) and merchant_required_deposit(merchant=merchant) > 0:
        merchant_restrict(merchant=merchant, cause=C.DEPOSIT, reason=_("Deposit returned."), actor=actor)
    return txn


# --- VIO-1: violations --------------------------------------------------------------------------------


@transaction.atomic
def violation_record(
    *, merchant: Merchant, kind: str, evidence: dict[str, Any], source: str, actor: User | None = None
) -> Violation:
    """VIO-1, VIO-2, VIO-3: record a violation and apply the penalty whose threshold it crosses.

    Points and track come from ``VIOLATION_POLICY`` by kind. The points count in their track for the
    calendar year; crossing a threshold of ``MERCHANT_PENALTY_THRESHOLDS`` imposes its measure at once (listing
    or trading restriction, suspension, ban) through the lifecycle services, with an end clock that lifts
    it and a publication clock (VIO-5). The merchant is told; its credit is recomputed after commit.
    """
    policy = VIOLATION_POLICY.get(kind)
    if policy is None:
        raise InvalidInput(
            _("Unknown violation kind %(kind)s.") % {"kind": kind}, code="unknown_violation_kind"
        )
    if source not in Violation.Source.values:
        raise InvalidInput(_("Unknown violation source."), code="unknown_violation_source")
    merchant = merchant_lock(merchant_id=merchant.pk)
    violation = Violation.objects.create(
        merchant=merchant,
        kind=kind,
        points=policy.points,
        track=policy.track,
        evidence=evidence,
        source=source,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="merchant.violation_recorded",
        subject=merchant,
        after={
            "violation": violation.pk,
            "kind": kind,
            "points": policy.points,
            "track": policy.track,
            "source": source,
        },
    )
    _notify_owner(
        merchant,
        event="merchant_violation_recorded",
        title=_("Violation recorded"),
        body=_("%(kind)s: %(points)d points (%(track)s). You may appeal within %(days)d days.")
        % {
            "kind": kind,
            "points": policy.points,
            "track": policy.track,
            "days": settings.MERCHANT_APPEAL_WINDOW.days,
        },
        subject=violation,
    )
    _penalty_for_violation(merchant=merchant, violation=violation)
    _credit_refresh_on_commit(merchant)
    return violation


# --- VIO-2, VIO-3, VIO-5: penalties -------------------------------------------------------------------


def _penalty_for_violation(*, merchant: Merchant, violation: Violation) -> Penalty | None:
    """VIO-2: the highest threshold of the track this violation's points crossed, once a year per track.

    A shop that is not trading (onboarding, closed, banned) keeps the points but gets no measure.
    """
    if merchant.status not in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        return None
    year = violation.year
    total = merchant_track_points(merchant=merchant, track=violation.track, year=year)
    before = total - violation.points
    crossed = [t for t in penalty_thresholds(violation.track) if before < t.points <= total]
    if not crossed:
        return None
    threshold = crossed[-1]
    if Penalty.objects.filter(
        merchant=merchant, year=year, track=threshold.track, threshold=threshold.points, overturned=False
    ).exists():
        return None
    return _penalty_impose(merchant=merchant, threshold=threshold, year=year, trigger=violation)


def _penalty_impose(
    *, merchant: Merchant, threshold: PenaltyThreshold, year: int, trigger: Violation
) -> Penalty:
    now = timezone.now()
    measure = threshold.measure
    ends_at = None if threshold.days is None else now + timedelta(days=threshold.days)
    reason = _("%(points)d %(track)s violation points in %(year)d: %(measure)s.") % {
        "points": threshold.points,
        "track": threshold.track,
        "year": year,
        "measure": Penalty.Measure(measure).label,
    }
    penalty = Penalty.objects.create(
        merchant=merchant,
        measure=measure,
        track=threshold.track,
        year=year,
        threshold=threshold.points,
        trigger=trigger,
        reason=reason,
        starts_at=now,
        ends_at=ends_at,
    )
    year_start, year_end = year_bounds(year)
    penalty.violations.set(
        Violation.objects.filter(
            merchant=merchant,
            track=threshold.track,
            voided_at__isnull=True,
            created_at__gte=year_start,
            created_at__lt=year_end,
        )
    )
    M = Penalty.Measure
    if measure == M.LISTING_RESTRICTION:
        merchant_restrict(merchant=merchant, cause=C.VIOLATION, reason=reason, actor=None)
    elif measure == M.TRADING_RESTRICTION:
        merchant_restrict(merchant=merchant, cause=C.TRADING_RESTRICTION, reason=reason, actor=None)
    elif measure == M.SUSPENSION:
        merchant_suspend(merchant=merchant, cause=C.VIOLATION, reason=reason, actor=None)
    elif measure == M.BAN:
        merchant_ban(merchant=merchant, reason=reason, actor=None)
    if measure != M.WARNING:
        if ends_at is not None:
            deadline_start(rule=RULE_PENALTY_END, subject=penalty, due_at=ends_at)
        deadline_start(
            rule=RULE_PENALTY_PUBLISH,
            subject=penalty,
            working_days=settings.MERCHANT_PENALTY_PUBLISH_WORKING_DAYS,
        )
    audit_record(
        actor=None,
        action="merchant.penalty_imposed",
        subject=merchant,
        after={
            "penalty": penalty.pk,
            "measure": measure,
            "track": threshold.track,
            "threshold": threshold.points,
            "ends_at": ends_at.isoformat() if ends_at else None,
        },
        reason=reason,
    )
    body = reason
    if ends_at is not None and measure != M.WARNING:
        body += " " + _("Until %(when)s.") % {"when": timezone.localtime(ends_at).isoformat()}
    _notify_owner(
        merchant,
        event="merchant_penalty_imposed",
        title=_("Penalty: %(measure)s") % {"measure": Penalty.Measure(measure).label},
        body=body,
        subject=penalty,
    )
    return penalty


def _penalty_undo(penalty: Penalty) -> None:
    """Take the measure back, unless another penalty in force still needs the same cause."""
    M = Penalty.Measure
    merchant = penalty.merchant
    if penalty.measure == M.WARNING:
        return
    if penalty.measure == M.BAN:
        # MER-8: a ban is terminal; compliance reviews the case by hand.
        _notify_staff(
            event="merchant_ban_needs_review",
            title=_("A ban lost its grounds"),
            body=_("The penalty %(penalty)s was lifted; the shop stays banned until staff decide.")
            % {"penalty": str(penalty)},
            subject=penalty,
            role=Role.STAFF_COMPLIANCE,
        )
        return
    if (
        penalties_in_force()
        .filter(merchant=merchant, measure=penalty.measure)
        .exclude(pk=penalty.pk)
        .exists()
    ):
        return
    reason = _("Penalty lifted: %(reason)s") % {"reason": penalty.get_lifted_reason_display()}
    if penalty.measure == M.LISTING_RESTRICTION:
        merchant_unrestrict(merchant=merchant, cause=C.VIOLATION, reason=reason, actor=None)
    elif penalty.measure == M.TRADING_RESTRICTION:
        merchant_unrestrict(merchant=merchant, cause=C.TRADING_RESTRICTION, reason=reason, actor=None)
    elif penalty.measure == M.SUSPENSION:
        merchant_reinstate(merchant=merchant, cause=C.VIOLATION, reason=reason, actor=None)


@transaction.atomic
def penalty_lift(*, penalty: Penalty, reason: str, note: str = "", actor: User | None) -> Penalty:
    """VIO-3, VIO-4: lift a penalty (at its end, after an appeal, or by staff); idempotent.

    The merchant returns to the state its other causes allow: only this penalty's cause is lifted, and
    only when no other penalty in force needs it.
    """
    if reason not in Penalty.LiftReason.values:
        raise InvalidInput(_("Unknown reason for lifting."), code="unknown_lift_reason")
    if reason == Penalty.LiftReason.STAFF:
        _require_appeal_reviewer(actor)
        if not note.strip():
            raise InvalidInput(_("Give the reason for lifting the penalty."), code="reason_missing")
    merchant_lock(merchant_id=penalty.merchant.pk)
    penalty = Penalty.objects.select_for_update().select_related("merchant").get(pk=penalty.pk)
    if penalty.lifted_at is not None:
        return penalty
    penalty.lifted_at = timezone.now()
    penalty.lifted_reason = reason
    penalty.lifted_note = note[:500]
    penalty.save(update_fields=["lifted_at", "lifted_reason", "lifted_note"])
    if reason == Penalty.LiftReason.EXPIRED:
        deadline_meet(rule=RULE_PENALTY_END, subject=penalty)
    else:
        deadline_cancel(rule=RULE_PENALTY_END, subject=penalty, note=f"lifted: {reason}")
    deadline_cancel(rule=RULE_PENALTY_PUBLISH, subject=penalty, note="lifted before publication")
    _penalty_undo(penalty)
    audit_record(
        actor=actor,
        action="merchant.penalty_lifted",
        subject=penalty.merchant,
        after={"penalty": penalty.pk, "measure": penalty.measure, "reason": reason},
        reason=note,
    )
    if penalty.measure != Penalty.Measure.WARNING:
        _notify_owner(
            penalty.merchant,
            event="merchant_penalty_lifted",
            title=_("Penalty lifted: %(measure)s") % {"measure": penalty.get_measure_display()},
            body=penalty.get_lifted_reason_display() + (f" {note}" if note else ""),
            subject=penalty,
        )
    return penalty


@transaction.atomic
def penalty_end(*, penalty: Penalty) -> None:
    """VIO-3: the deadline engine ends a penalty at ``ends_at``; no one has to act."""
    if penalty.lifted_at is None:
        penalty_lift(penalty=penalty, reason=Penalty.LiftReason.EXPIRED, actor=None)


@transaction.atomic
def penalty_publish(*, penalty: Penalty, actor: User | None) -> Penalty:
    """VIO-5: make a penalty in force public (list and profile); at the latest 1 working day after it
    started (deadline ``merchants.penalty_publish``), earlier if staff publish it. Idempotent."""
    if actor is not None:
        _require_appeal_reviewer(actor)
    penalty = Penalty.objects.select_for_update().get(pk=penalty.pk)
    if penalty.published_at is not None or penalty.lifted_at is not None:
        return penalty
    penalty.published_at = timezone.now()
    penalty.save(update_fields=["published_at"])
    deadline_meet(rule=RULE_PENALTY_PUBLISH, subject=penalty)
    audit_record(
        actor=actor,
        action="merchant.penalty_published",
        subject=penalty.merchant,
        after={"penalty": penalty.pk},
    )
    return penalty


# --- VIO-4: appeals -----------------------------------------------------------------------------------


@transaction.atomic
def violation_appeal_submit(
    *, violation: Violation, statement: str, evidence: dict[str, Any], actor: User
) -> ViolationAppeal:
    """VIO-4: the shop owner (or operations) appeals within 7 days of the violation; staff then have
    5 working days (deadline ``merchants.appeal_review``). One appeal per violation."""
    if not MerchantMember.objects.filter(
        merchant=violation.merchant,
        user=actor,
        role__in=[MerchantMember.Role.OWNER, MerchantMember.Role.OPERATIONS],
        is_active=True,
    ).exists():
        raise Forbidden(_("Only the shop owner or operations staff may appeal."), code="not_allowed")
    if not statement.strip():
        raise InvalidInput(
            _("Explain why the violation is wrong."),
            code="statement_missing",
            errors={"statement": [_("Required.")]},
        )
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    closes_at = violation.created_at + settings.MERCHANT_APPEAL_WINDOW
    if timezone.now() > closes_at:
        raise Unprocessable(
            _(
                "Appeals must be made within %(days)d days of the violation; the period for this one "
                "ended on %(when)s."
            )
            % {
                "days": settings.MERCHANT_APPEAL_WINDOW.days,
                "when": timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="appeal_period_over",
        )
    if violation.voided_at is not None:
        raise Conflict(_("This violation was already voided."), code="violation_voided")
    if ViolationAppeal.objects.filter(violation=violation).exists():
        raise Conflict(_("This violation has already been appealed."), code="already_appealed")
    appeal = ViolationAppeal.objects.create(
        violation=violation, statement=statement, evidence=evidence, submitted_by=actor
    )
    deadline_start(
        rule=RULE_APPEAL_REVIEW, subject=appeal, working_days=settings.MERCHANT_APPEAL_REVIEW_WORKING_DAYS
    )
    audit_record(
        actor=actor,
        action="merchant.violation_appealed",
        subject=violation.merchant,
        after={"violation": violation.pk, "appeal": appeal.pk},
    )
    _notify_staff(
        event="merchant_violation_appealed",
        title=_("New violation appeal"),
        body=_("%(merchant)s appeals %(violation)s.")
        % {"merchant": violation.merchant, "violation": violation},
        subject=appeal,
        role=Role.STAFF_COMPLIANCE,
    )
    return appeal


@transaction.atomic
def violation_appeal_decide(
    *, appeal: ViolationAppeal, overturn: bool, reason: str, actor: User
) -> ViolationAppeal:
    """VIO-4: staff uphold the violation or overturn it, with the reason sent to the merchant.

    Overturning voids the violation's points and lifts (as overturned) every penalty of that year and
    track whose threshold the remaining points no longer reach.
    """
    _require_appeal_reviewer(actor)
    if not reason.strip():
        raise InvalidInput(
            _("Give the reason for the decision."), code="reason_missing", errors={"reason": [_("Required.")]}
        )
    merchant = merchant_lock(merchant_id=appeal.violation.merchant.pk)
    appeal = ViolationAppeal.objects.select_for_update().select_related("violation").get(pk=appeal.pk)
    if overturn:
        appeal.overturn(decided_by=actor, reason=reason)
    else:
        appeal.uphold(decided_by=actor, reason=reason)
    appeal.save()
    deadline_meet(rule=RULE_APPEAL_REVIEW, subject=appeal)
    violation = appeal.violation
    if overturn:
        violation.voided_at = timezone.now()
        violation.voided_reason = reason[:500]
        violation.save(update_fields=["voided_at", "voided_reason"])
        remaining = merchant_track_points(merchant=merchant, track=violation.track, year=violation.year)
        for penalty in Penalty.objects.filter(
            merchant=merchant,
            year=violation.year,
            track=violation.track,
            overturned=False,
            threshold__gt=remaining,
        ).order_by("pk"):
            penalty.overturned = True
            penalty.save(update_fields=["overturned"])
            penalty_lift(penalty=penalty, reason=Penalty.LiftReason.APPEAL, note=reason, actor=actor)
        _credit_refresh_on_commit(merchant)
    audit_record(
        actor=actor,
        action=f"merchant.violation_appeal_{appeal.status}",
        subject=merchant,
        after={"appeal": appeal.pk, "violation": violation.pk},
        reason=reason,
    )
    _notify_owner(
        merchant,
        event=f"merchant_violation_appeal_{appeal.status}",
        title=_("Your appeal: %(status)s") % {"status": appeal.get_status_display()},
        body=reason,
        subject=appeal,
    )
    return appeal


@transaction.atomic
def appeal_review_overdue(*, appeal: ViolationAppeal) -> None:
    """VIO-4: an appeal waited past its 5 working days: record it and tell compliance."""
    if appeal.status != ViolationAppeal.Status.SUBMITTED:
        return
    audit_record(
        actor=None,
        action="merchant.appeal_review_overdue",
        subject=appeal.violation.merchant,
        after={"appeal": appeal.pk},
    )
    _notify_staff(
        event="merchant_appeal_review_overdue",
        title=_("Appeal decision overdue"),
        body=_("%(appeal)s has waited past its 5-working-day deadline.") % {"appeal": str(appeal)},
        subject=appeal,
        role=Role.STAFF_COMPLIANCE,
    )


# --- REP-3: credit ------------------------------------------------------------------------------------


def _credit_refresh_on_commit(merchant: Merchant) -> None:
    """REP-3: a significant event: recompute the merchant's credit once the change is committed.

    Robust: a broker outage is logged, not raised after the commit; the nightly run catches up.
    """
    transaction.on_commit(partial(_credit_refresh, merchant.pk), robust=True)


def _credit_refresh(merchant_id: int) -> None:
    from merchants.tasks import recompute_credit_task  # the tasks module imports this one

    recompute_credit_task.delay(merchant_id=merchant_id)


@transaction.atomic
def merchant_credit_recompute(
    *, merchant: Merchant, trigger: str = MerchantCreditSnapshot.Trigger.EVENT
) -> MerchantCreditSnapshot:
    """REP-3: compute score, grade and components (docs/credit-formula.md), keep them as a snapshot and
    on the merchant. The nightly run computes each merchant once a day (idempotent)."""
    now = timezone.now()
    if trigger == MerchantCreditSnapshot.Trigger.NIGHTLY:
        start_of_day = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
        done = MerchantCreditSnapshot.objects.filter(
            merchant=merchant, trigger=trigger, computed_at__gte=start_of_day
        ).first()
        if done is not None:
            return done
    result = credit_compute(**merchant_credit_inputs(merchant=merchant, at=now))
    merchant = merchant_lock(merchant_id=merchant.pk)
    snapshot = MerchantCreditSnapshot.objects.create(
        merchant=merchant,
        computed_at=now,
        score=result["score"],
        grade=result["grade"],
        components=result["components"],
        trigger=trigger,
    )
    before = merchant.credit_grade
    merchant.credit_score, merchant.credit_grade = result["score"], result["grade"]
    merchant.save(update_fields=["credit_score", "credit_grade"])
    if before != result["grade"]:
        audit_record(
            actor=None,
            action="merchant.credit_grade_changed",
            subject=merchant,
            before={"grade": before},
            after={"grade": result["grade"], "score": result["score"]},
        )
    return snapshot


@transaction.atomic
def credit_snapshots_prune() -> int:
    """REP-3: snapshots older than the published 12-month history are removed; returns how many."""
    cutoff = timezone.now() - timedelta(days=credit_policy().history_days)
    deleted, _rows = MerchantCreditSnapshot.objects.filter(computed_at__lt=cutoff).delete()
    return deleted


# --- VIO-6: KPIs --------------------------------------------------------------------------------------


@transaction.atomic
def merchant_kpis_compute(*, merchant: Merchant, day: date) -> list[MerchantKpi]:
    """VIO-6: the rolling-30-day KPIs ending on ``day``; rerunning the same day changes nothing more.

    A KPI newly at its warning level notifies the merchant; past its limit it records one violation
    (source: system) per KPI per 30-day period — not again until 30 days after the last one.
    """
    merchant = merchant_lock(merchant_id=merchant.pk)
    since, until = kpi_window(day=day)
    figures = merchant_figures(merchant=merchant, since=since, until=until)
    rows = []
    L = MerchantKpi.Level
    for name, policy in kpi_policy().items():
        value, sample, level = kpi_evaluate(policy=policy, figures=figures)
        previous = (
            MerchantKpi.objects.filter(merchant=merchant, kpi=name, date__lt=day).order_by("-date").first()
        )
        row, created = MerchantKpi.objects.update_or_create(
            merchant=merchant,
            kpi=name,
            date=day,
            defaults={"value": value, "sample": sample, "level": level, "computed_at": timezone.now()},
        )
        rows.append(row)
        if level == L.LIMIT and row.violation_id is None:
            period_start = day - timedelta(days=KPI_WINDOW_DAYS - 1)
            if not MerchantKpi.objects.filter(
                merchant=merchant, kpi=name, date__gte=period_start, date__lte=day, violation__isnull=False
            ).exists():
                row.violation = violation_record(
                    merchant=merchant,
                    kind=policy.violation_kind,
                    evidence={
                        "kpi": name,
                        "value": str(value),
                        "limit": str(policy.limit),
                        "sample": sample,
                        "window": [since.isoformat(), until.isoformat()],
                    },
                    source=Violation.Source.SYSTEM,
                    actor=None,
                )
                row.save(update_fields=["violation"])
        elif level == L.WARNING and created and (previous is None or previous.level == L.OK):
            _notify_owner(
                merchant,
                event="merchant_kpi_warning",
                title=_("Performance warning: %(kpi)s") % {"kpi": name},
                body=_("%(kpi)s is %(value)s over the last 30 days; the limit is %(limit)s.")
                % {"kpi": name, "value": value, "limit": policy.limit},
                subject=row,
            )
    return rows


# --- MER-6, MER-7: re-verification and documents ----------------------------------------------------


@transaction.atomic
def reverification_open(*, merchant: Merchant) -> Reverification | None:
    """MER-6: re-verification is due: open the task and give the merchant 30 days before suspension."""
    merchant = merchant_lock(merchant_id=merchant.pk)
    if merchant.status in (S.CLOSED, S.BANNED, S.ONBOARDING):
        return None
    open_one = merchant.reverifications.exclude(status=Reverification.Status.PASSED).first()
    if open_one is not None:
        return open_one
    reverification = Reverification.objects.create(merchant=merchant)
    deadline_start(rule=RULE_REVERIFY_OVERDUE, subject=reverification, after=settings.MERCHANT_REVERIFY_GRACE)
    audit_record(
        actor=None,
        action="merchant.reverification_opened",
        subject=merchant,
        after={"reverification": reverification.pk},
    )
    _notify_owner(
        merchant,
        event="merchant_reverification_due",
        title=_("Re-verification is due"),
        body=_("Submit your current documents within %(days)d days, or trading is suspended.")
        % {"days": settings.MERCHANT_REVERIFY_GRACE.days},
        subject=reverification,
    )
    return reverification


@transaction.atomic
def reverification_overdue(*, reverification: Reverification) -> None:
    """MER-6: not passed 30 days after due: suspend until it is."""
    if reverification.status == Reverification.Status.PASSED:
        return
    merchant = reverification.merchant
    if merchant.status in (S.ACTIVE, S.RESTRICTED, S.SUSPENDED):
        merchant_suspend(
            merchant=merchant,
            cause=C.REVERIFICATION,
            reason=_("Re-verification overdue since %(when)s.")
            % {"when": reverification.opened_at.date().isoformat()},
            actor=None,
        )


@transaction.atomic
def reverification_submit(*, reverification: Reverification, actor: User) -> Reverification:
    """MER-6: the merchant says its current documents are uploaded; staff verify next."""
    _require_owner(merchant=reverification.merchant, actor=actor)
    reverification = Reverification.objects.select_for_update().get(pk=reverification.pk)
    reverification.submit()
    reverification.save()
    audit_record(actor=actor, action="merchant.reverification_submitted", subject=reverification.merchant)
    return reverification


@transaction.atomic
def reverification_pass(*, reverification: Reverification, note: str, actor: User) -> Reverification:
    """MER-6: staff pass it: the overdue clock is met, a reverification suspension lifts, the next 6 months start."""
    _require_reviewer(actor)
    merchant = merchant_lock(merchant_id=reverification.merchant.pk)
    reverification = Reverification.objects.select_for_update().get(pk=reverification.pk)
    reverification.pass_(reviewer=actor, note=note)
    reverification.save()
    deadline_meet(rule=RULE_REVERIFY_OVERDUE, subject=reverification)
    audit_record(actor=actor, action="merchant.reverification_passed", subject=merchant, reason=note)
    if C.REVERIFICATION in merchant.suspension_causes:
        merchant_reinstate(
            merchant=merchant, cause=C.REVERIFICATION, reason=_("Re-verification passed."), actor=actor
        )
    deadline_restart(rule=RULE_REVERIFY_DUE, subject=merchant, after=settings.MERCHANT_REVERIFY_INTERVAL)
    return reverification


@transaction.atomic
def reverification_return(*, reverification: Reverification, note: str, actor: User) -> Reverification:
    """MER-6: staff send it back; the overdue clock keeps running."""
    _require_reviewer(actor)
    reverification = Reverification.objects.select_for_update().get(pk=reverification.pk)
    reverification.return_to_merchant(reviewer=actor, note=note)
    reverification.save()
    audit_record(
        actor=actor, action="merchant.reverification_returned", subject=reverification.merchant, reason=note
    )
    _notify_owner(
        reverification.merchant,
        event="merchant_reverification_returned",
        title=_("Re-verification returned"),
        body=note,
    )
    return reverification


def document_expires_at(document: QualificationDocument) -> datetime | None:
    """MER-7: a document is valid through ``valid_until``; it expires at the start of the next day (local)."""
    if document.valid_until is None:
        return None
    return timezone.make_aware(datetime.combine(document.valid_until + timedelta(days=1), time.min))


def _document_schedule(document: QualificationDocument) -> None:
    """MER-7: warning clocks 30 and 7 days before expiry, and the expiry clock itself (future ones only)."""
    expires_at = document_expires_at(document)
    if expires_at is None:
        return
    now = timezone.now()
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
        older.superseded_at = timezone.now()
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
    document.expired_at = timezone.now()
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


# --- MER-6a: reported changes -------------------------------------------------------------------------


@transaction.atomic
def merchant_change_report(*, merchant: Merchant, changes: dict[str, str], actor: User) -> MerchantChange:
    """MER-6a: the merchant reports changed registered information; staff verify within 7 working days."""
    _require_owner(merchant=merchant, actor=actor)
    unknown = set(changes) - set(MerchantChange.CHANGEABLE_FIELDS)
    if not changes or unknown:
        raise InvalidInput(
            _("Only these fields may be reported: %(fields)s.")
            % {"fields": ", ".join(MerchantChange.CHANGEABLE_FIELDS)},
            code="invalid_change",
        )
    change = MerchantChange.objects.create(merchant=merchant, changes=changes, reported_by=actor)
    deadline_start(
        rule=RULE_CHANGE_VERIFY, subject=change, working_days=settings.MERCHANT_CHANGE_VERIFY_WORKING_DAYS
    )
    audit_record(actor=actor, action="merchant.change_reported", subject=merchant, after=changes)
    return change


@transaction.atomic
def merchant_change_verify(*, change: MerchantChange, note: str, actor: User) -> MerchantChange:
    """MER-6a: staff verify; the merchant's registered information (and public profile) is updated."""
    _require_reviewer(actor)
    merchant = merchant_lock(merchant_id=change.merchant.pk)
    change = MerchantChange.objects.select_for_update().get(pk=change.pk)
    change.verify(reviewer=actor, note=note)
    change.save()
    before = {name: getattr(merchant, name) for name in change.changes}
    for name, value in change.changes.items():
        setattr(merchant, name, value)
    merchant.save(update_fields=list(change.changes))
    deadline_meet(rule=RULE_CHANGE_VERIFY, subject=change)
    audit_record(
        actor=actor,
        action="merchant.change_verified",
        subject=merchant,
        before=before,
        after=change.changes,
        reason=note,
    )
    return change


@transaction.atomic
def merchant_change_reject(*, change: MerchantChange, note: str, actor: User) -> MerchantChange:
    """MER-6a: staff refuse the reported change, with the reason."""
    _require_reviewer(actor)
    change = MerchantChange.objects.select_for_update().get(pk=change.pk)
    change.reject(reviewer=actor, note=note)
    change.save()
    deadline_meet(rule=RULE_CHANGE_VERIFY, subject=change)
    audit_record(actor=actor, action="merchant.change_rejected", subject=change.merchant, reason=note)
    return change


@transaction.atomic
def review_overdue_record(*, subject: MerchantApplication | MerchantChange, what: str) -> None:
    """MER-2, MER-6a: a review clock ran out: record it, tell operations, and put it before the head of
    the operations department (STF-1), who is told even when not in the operations group."""
    head = department_head(code=DepartmentCode.OPERATIONS)
    audit_record(
        actor=None,
        action=f"merchant.{what}_review_overdue",
        subject=subject,
        after={"escalated_to": head.pk if head else None},
    )
    title = _("Review overdue")
    body = _("%(subject)s has waited past its review deadline.") % {"subject": str(subject)}
    event = f"merchant_{what}_review_overdue"
    notified = _notify_staff(event=event, title=title, body=body, subject=subject)
    if head is not None and head.pk not in notified:
        notify(recipient=head, event=event, title=title, body=body, subject=subject)


# --- members ------------------------------------------------------------------------------------------


@transaction.atomic
def merchant_member_invite(*, merchant: Merchant, login: str, role: str, actor: User) -> MerchantMember:
    """The owner adds a staff account (by phone or email) with a role that limits what it may do."""
    _require_owner(merchant=merchant, actor=actor)
    if role not in MerchantMember.Role.values or role == MerchantMember.Role.OWNER:
        raise InvalidInput(_("Choose operations, customer service or finance."), code="invalid_role")
    try:
        user = User.objects.get_by_login(login)
    except User.DoesNotExist:
        raise NotFound(_("No account with this phone number or email."), code="user_not_found") from None
    member, created = MerchantMember.objects.get_or_create(
        merchant=merchant, user=user, defaults={"role": role}
    )
    if not created:
        if member.role == MerchantMember.Role.OWNER:
            raise Conflict(_("The owner is already a member."), code="already_owner")
        member.role, member.is_active = role, True
        member.save(update_fields=["role", "is_active"])
    user_grant_role(user=user, role=Role.MERCHANT_STAFF)
    audit_record(
        actor=actor, action="merchant.member_invited", subject=merchant, after={"user": user.pk, "role": role}
    )
    notify(
        recipient=user,
        event="merchant_member_invited",
        title=_("You were added to %(shop)s") % {"shop": merchant.name},
        body=_("Role: %(role)s") % {"role": member.get_role_display()},
        subject=merchant,
    )
    return member


@transaction.atomic
def merchant_member_remove(*, member: MerchantMember, actor: User) -> MerchantMember:
    """The owner removes a staff account (kept, inactive, for the record)."""
    _require_owner(merchant=member.merchant, actor=actor)
    if member.role == MerchantMember.Role.OWNER:
        raise Conflict(_("The owner cannot be removed."), code="owner_not_removable")
    member.is_active = False
    member.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="merchant.member_removed", subject=member.merchant, after={"user": member.user_id}
    )
    return member
