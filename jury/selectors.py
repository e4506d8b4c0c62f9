"""Reads of the public jury (DSP-6): who may sit on a case's jury, a juror's own cases, and the
anonymised case file a juror sees (SEC-1: another juror's case is a 404; SEC-2: no names, phones or
addresses)."""

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.models import Dispute
from jury.models import Juror, JuryCase
from merchants.models import MerchantMember
from orders.models import Order, Payment
from orders.selectors.money import order_paid_amount, order_refunded_amount
from orders.selectors.reviews import payments_paid_by
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.errors import NotFound

JURY_PERMISSION = ("staff", "user_jury")  # USR-2: the advanced permission a juror holds

PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")


def refundable_amount(dispute: Dispute) -> Decimal:
    """What the case is about at most: what the customer paid and was not yet refunded."""
    return order_paid_amount(order=dispute.order) - order_refunded_amount(order=dispute.order)


def jury_amount_eligible(dispute: Dispute) -> bool:
    """DSP-6: a jury hears only small disputes (refundable amount up to ¥500 by default)."""
    return refundable_amount(dispute) <= settings.JURY_MAX_AMOUNT


# --- who may sit ----------------------------------------------------------------------------------------


def _norm(values: Iterable[str | None]) -> set[str]:
    return {v.strip() for v in values if v and v.strip()}


def _party_ids(dispute: Dispute) -> set[int]:
    order = dispute.order
    members = MerchantMember.objects.filter(merchant_id=order.merchant_id).values_list("user_id", flat=True)
    return {order.customer_id, order.merchant.owner_id, *members}


def _party_traces(party_ids: set[int], dispute: Dispute) -> tuple[set[str], set[str]]:
    """The phones and addresses the parties are known by: their accounts, every shipping address and
    recipient phone of their orders, the merchant's registered contact details."""
    merchant = dispute.order.merchant
    phones = _norm(User.objects.filter(pk__in=party_ids).values_list("phone", flat=True))
    phones |= _norm([merchant.contact_phone])
    addresses = _norm([merchant.registered_address])
    for phone, address in Order.objects.filter(customer_id__in=party_ids).values_list(
        "shipping_phone", "shipping_address"
    ):
        phones |= _norm([phone])
        addresses |= _norm([address])
    return phones, addresses


def jurors_eligible(*, dispute: Dispute, now: datetime | None = None) -> QuerySet[User]:
    """DSP-6, USR-2: active users holding the jury permission with no link to either party — not the
    customer, not a member (past or present) of the merchant, no shared phone or address (account phone,
    recipient phones and shipping addresses of their orders, the merchant's contact details), no shared
    payment account (the payer accounts of their payments and of the shop's deposits), no order with the
    merchant in the past 90 days. Ordered by id (the draw's input must not depend on the
    database's whim)."""
    now = now or clock.now()
    app_label, codename = JURY_PERMISSION
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    party_ids = _party_ids(dispute)
    phones, addresses = _party_traces(party_ids, dispute)
    linked_orders = Order.objects.filter(customer=OuterRef("pk")).filter(
        Q(shipping_phone__in=phones)
        | Q(shipping_address__in=addresses)
        | Q(merchant_id=dispute.order.merchant_id, created_at__gte=now - settings.JURY_NO_ORDERS_WITHIN)
    )
    # the parties' payer accounts (their payments, the shop's deposits) against the candidate's own
    party_accounts = payments_paid_by(user_ids=party_ids, merchant_id=dispute.order.merchant_id)
    shared_account = Payment.objects.filter(
        Q(order__customer=OuterRef("pk"))
        | Q(purpose=Payment.Purpose.DEPOSIT, merchant__owner=OuterRef("pk")),
        payer_account__in=party_accounts.values("payer_account"),
    )
    return (
        User.objects.filter(is_active=True, is_staff=False, anonymised_at__isnull=True)
        .filter(Q(user_permissions__in=permission) | Q(groups__permissions__in=permission))
        .exclude(pk__in=party_ids)
        .exclude(phone__in=phones)
        .exclude(Exists(linked_orders))
        .exclude(Exists(shared_account))
        .distinct()
        .order_by("pk")
    )


# --- a juror's cases --------------------------------------------------------------------------------------


def jury_case_list_for_juror(*, juror: User) -> QuerySet[JuryCase]:
    """The cases ``juror`` was drawn for, the open ones (earliest deadline) first."""
    return (
        JuryCase.objects.filter(jurors__user=juror)
        .exclude(status=JuryCase.Status.CONSENTING)
        .select_related("dispute__order")
        .prefetch_related(Prefetch("jurors", queryset=Juror.objects.filter(user=juror), to_attr="my_seat"))
        .order_by("closed_at", "vote_due_at", "-pk")
    )


def jury_case_get_for_juror(*, juror: User, case_id: int) -> JuryCase:
    case = jury_case_list_for_juror(juror=juror).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("No such jury case."))
    return case


def jury_case_for_dispute(*, dispute: Dispute) -> JuryCase | None:
    """DSP-6: the dispute's jury case (the consents given so far), with the member who consented for the
    shop; ``None`` before either party consented."""
    return JuryCase.objects.filter(dispute=dispute).select_related("merchant_consented_by").first()


# --- the anonymised case file -----------------------------------------------------------------------------


def _scrubber(dispute: Dispute) -> Any:
    """Free text written by the parties or staff, with the parties' names, phones and addresses taken out
    (and anything that looks like a mainland mobile number)."""
    order = dispute.order
    party_ids = _party_ids(dispute)
    phones, addresses = _party_traces(party_ids, dispute)
    names = _norm(User.objects.filter(pk__in=party_ids).values_list("name", flat=True))
    names |= _norm([order.shipping_name, order.merchant.name, order.merchant.legal_name])
    names |= _norm(
        Order.objects.filter(customer_id=order.customer_id).values_list("shipping_name", flat=True)
    )
    replacements = [(a, _("[address]")) for a in addresses] + [(p, _("[phone]")) for p in phones]
    replacements += [(n, _("[name]")) for n in names]
    replacements.sort(key=lambda pair: len(pair[0]), reverse=True)  # longest first: 张三丰 before 张三

    def scrub(text: str) -> str:
        for needle, mark in replacements:
            text = text.replace(needle, str(mark))
        return PHONE_IN_TEXT.sub(str(_("[phone]")), text)

    return scrub


def jury_case_file(*, case: JuryCase) -> dict[str, Any]:
    """DSP-6: what a juror decides on — the order lines and amounts, the claim, both sides' statements
    with their list of files, the mediation history; no names, phones, addresses or order number."""
    dispute = case.dispute
    order = dispute.order
    scrub = _scrubber(dispute)
    evidence = dispute.evidence.prefetch_related("files").order_by("submitted_at", "pk")
    return {
        "order": {
            "kind": order.kind,
            "total": order.total,
            "placed_on": timezone.localtime(order.created_at).date(),
            "status": order.status,
            "lines": [
                {
                    "title": line.title,
                    "attributes": line.sku_attributes,
                    "unit_price": line.unit_price,
                    "quantity": line.quantity,
                    "line_total": line.line_total,
                }
                for line in order.lines.order_by("pk")
            ],
        },
        "opened_by": dispute.opener_role,
        "reason": scrub(dispute.reason),
        "claim_amount": dispute.claim_amount,
        "refundable_amount": refundable_amount(dispute),
        "statements": [
            {
                "party": item.party,
                "statement": scrub(item.statement),
                "submitted_at": item.submitted_at,
                "files": [{"content_type": f.content_type, "size": f.size} for f in item.files.all()],
            }
            for item in evidence
        ],
        "mediation": [
            {
                "refund_amount": p.refund_amount,
                "return_required": p.return_required,
                "note": scrub(p.note),
                "customer_accepted": p.customer_accepted,
                "merchant_accepted": p.merchant_accepted,
                "proposed_at": p.proposed_at,
            }
            for p in dispute.proposals.order_by("proposed_at", "pk")
        ],
    }


def jury_tally(votes: list[tuple[str, Decimal | None]]) -> tuple[str, Decimal | None] | None:
    """DSP-6: the verdict of the votes cast — the outcome more than half of them chose; for a partial
    refund, the median of the amounts voted (the lower middle one of an even count: an amount some juror
    actually proposed). ``None`` when no outcome has a majority."""
    by_kind: dict[str, list[Decimal]] = {}
    for kind, amount in votes:
        by_kind.setdefault(kind, []).append(amount if amount is not None else Decimal("0.00"))
    for kind, amounts in by_kind.items():
        if len(amounts) * 2 > len(votes):
            if kind != JuryCase.Verdict.PARTIAL_REFUND:
                return kind, None
            ordered = sorted(amounts)
            return kind, ordered[(len(ordered) - 1) // 2]
    return None
