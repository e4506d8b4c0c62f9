"""MER-4: platform agreements: publishing, taking effect, acceptance."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from merchants.clocks import RULE_AGREEMENT_EFFECTIVE
from merchants.models import AgreementAcceptance, Merchant, PlatformAgreement
from merchants.selectors.standing import (
    agreement_current,
    agreement_notice_required,
    merchant_has_accepted_current_agreement,
)
from merchants.services._common import C, S, _notify_owner, _require_owner
from merchants.services.lifecycle import (
    merchant_activate,
    merchant_lock,
    merchant_restrict,
    merchant_unrestrict,
)
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_start
from platform_core.errors import Conflict, Forbidden, InvalidInput


@transaction.atomic
def agreement_publish(
    *, version: str, title: str, body: str, effective_at: datetime, actor: User
) -> PlatformAgreement:
    """MER-4 (ECL Art. 34), MER-10, STF-6: publish a version now, taking effect at least 7 days later (the
    first version, which no merchant has accepted yet, may take effect at once: issue 21).

    Only holders of the publishing permission publish platform rules and agreements. Versions are never
    edited or deleted. When it takes effect, merchants who have not accepted it are restricted (deadline
    ``merchants.agreement_effective``).
    """
    if not actor.has_perm("staff.publish_announcement"):
        raise Forbidden(
            _("Only staff with the publishing permission may publish platform agreements and rules."),
            code="not_a_publisher",
        )
    now = clock.now()
    if agreement_notice_required() and effective_at < now + settings.MERCHANT_AGREEMENT_NOTICE:
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
    now = clock.now()
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
