"""MER-4, MER-5, MER-7, MER-8: the merchant's standing: agreement, deposit, documents held, what it may
list (catalog and orders call ``merchant_may_list``) and the money that blocks closure.
"""

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, JSONField, Max, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from catalog.models import Category
from merchants.models import (
    AgreementAcceptance,
    CreditGradePolicy,
    Merchant,
    MerchantClosureRequest,
    PlatformAgreement,
    QualificationDocument,
)
from merchants.policies import CREDIT_DEFAULT_GRADE, CREDIT_GRADE_NAMES
from platform_core import clock
from platform_core.ledger.models import AccountKind, LedgerAccount
from platform_core.money import money_round

ZERO = Decimal("0.00")


def agreement_current(*, at: Any = None) -> PlatformAgreement | None:
    """MER-4: the agreement in force now: the latest one whose effective time has come."""
    return (
        PlatformAgreement.objects.filter(effective_at__lte=at or clock.now())
        .order_by("-effective_at")
        .first()
    )


def agreement_current_terms(*, at: Any = None) -> Subquery:
    """MER-4, ORD-1: ``agreement_current()``'s version, title and body as one JSON value (``None`` if there
    is none), an expression to annotate another query with (issue 26: checkout reads it with the cart).
    ``at``: the time it is asked for (default now; a prepared query passes it as a marker)."""
    return Subquery(
        PlatformAgreement.objects.filter(effective_at__lte=at or clock.now())
        .order_by("-effective_at")
        .values(terms=JSONObject(version="version", title="title", body="body"))[:1],
        output_field=JSONField(),
    )


def agreement_notice_required() -> bool:
    """MER-4 (ECL Art. 34), issue 21: the 7-day notice protects merchants trading under an accepted version;
    the very first version, which no merchant has accepted, may take effect at once (else a new
    installation could admit no merchant for a week)."""
    return AgreementAcceptance.objects.exists()


def agreement_pending_for_merchant(*, merchant: Merchant) -> PlatformAgreement | None:
    """MER-4: the agreement in force if ``merchant`` has not accepted it yet, else ``None`` (one query)."""
    current = (
        PlatformAgreement.objects.filter(effective_at__lte=clock.now())
        .annotate(
            accepted=Exists(AgreementAcceptance.objects.filter(agreement=OuterRef("pk"), merchant=merchant))
        )
        .order_by("-effective_at")
        .first()
    )
    return None if current is None or current.accepted else current


def agreement_to_accept_for_merchant(*, merchant: Merchant) -> PlatformAgreement | None:
    """MER-4 (ECL Art. 34): the newest published version — in force, or announced during its notice — if
    ``merchant`` has not accepted it, else ``None``; one query (the seller centre's banner on every page)."""
    newest = (
        PlatformAgreement.objects.filter(published_at__lte=clock.now())
        .annotate(
            accepted=Exists(AgreementAcceptance.objects.filter(agreement=OuterRef("pk"), merchant=merchant))
        )
        .order_by("-effective_at")
        .first()
    )
    return None if newest is None or newest.accepted else newest


def agreement_banner_annotations() -> dict[str, Any]:
    """MER-4: subqueries on a membership row (``merchants.dashboard_banner_queries``): the newest published
    agreement version, when it takes effect, and whether the member's shop accepted it."""
    newest = PlatformAgreement.objects.filter(published_at__lte=clock.now()).order_by("-effective_at", "-pk")
    return {
        "mer4_agreement_version": Subquery(newest.values("version")[:1]),
        "mer4_agreement_effective_at": Subquery(newest.values("effective_at")[:1]),
        "mer4_agreement_accepted": Exists(
            AgreementAcceptance.objects.filter(
                merchant_id=OuterRef("merchant_id"), agreement_id=Subquery(newest.values("pk")[:1])
            )
        ),
    }


def merchant_has_accepted_current_agreement(*, merchant: Merchant) -> bool:
    current = agreement_current()
    if current is None:
        return True  # nothing to accept yet
    return AgreementAcceptance.objects.filter(agreement=current, merchant=merchant).exists()


def merchant_deposit_balance(*, merchant: Merchant) -> Decimal:
    """MER-5: the merchant's deposit ledger account balance (zero before the first payment)."""
    balance = (
        LedgerAccount.objects.filter(
            kind=AccountKind.MERCHANT_DEPOSIT,
            owner_type=ContentType.objects.get_for_model(Merchant),
            owner_id=merchant.pk,
        )
        .values_list("balance", flat=True)
        .first()
    )
    return balance if balance is not None else ZERO


def grade_policy_for_merchant(*, merchant: Merchant) -> dict[str, Any]:
    """REP-3: what the merchant's credit grade means for its money (``CreditGradePolicy``): the grade
    counted (``CREDIT_DEFAULT_GRADE`` before the first computation), its name, the deposit multiplier
    and surcharge, the payout delay in days; neutral (× 1, no surcharge, no delay) without a row."""
    return grade_policy_for_grade(grade=merchant.credit_grade)


def grade_policy_for_grade(*, grade: int | None) -> dict[str, Any]:
    """REP-3: the grade policy of ``grade`` (``None``: not graded yet, ``CREDIT_DEFAULT_GRADE``)."""
    graded = grade is not None
    grade = grade or CREDIT_DEFAULT_GRADE
    row = CreditGradePolicy.objects.filter(grade=grade).first()
    return {
        "grade": grade,
        "grade_name": CREDIT_GRADE_NAMES.get(grade, str(grade)),
        "graded": graded,
        "deposit_multiplier": row.deposit_multiplier if row else Decimal("1.00"),
        "deposit_surcharge": row.deposit_surcharge if row else ZERO,
        "payout_delay_days": row.payout_delay_days if row else 0,
    }


def deposit_for_grade(base: Decimal, policy: dict[str, Any]) -> Decimal:
    """MER-5, REP-3: a categories' deposit ``base`` as the grade policy raises it (nothing if none)."""
    if base <= 0:
        return ZERO
    return money_round(base * policy["deposit_multiplier"] + policy["deposit_surcharge"])


def merchant_base_deposit(*, merchant: Merchant) -> Decimal:
    """MER-5: the largest of the merchant's categories' deposits, before its grade counts."""
    required = merchant.categories.aggregate(m=Max("deposit_amount"))["m"]
    return required if required is not None else ZERO


def merchant_required_deposit(*, merchant: Merchant) -> Decimal:
    """MER-5, REP-3: the deposit the merchant must hold: the largest of its categories' deposits, times
    its credit grade's multiplier plus its surcharge (``grade_policy_for_merchant``). One query: the
    grade's policy row with the categories' deposit as a subquery (pages keep their query budget)."""
    biggest = merchant.categories.order_by("-deposit_amount").values("deposit_amount")[:1]
    row = (
        CreditGradePolicy.objects.filter(grade=merchant.credit_grade or CREDIT_DEFAULT_GRADE)
        .annotate(base=Subquery(biggest))
        .first()
    )
    if row is None:  # no policy for the grade: neutral
        return merchant_base_deposit(merchant=merchant)
    terms = {"deposit_multiplier": row.deposit_multiplier, "deposit_surcharge": row.deposit_surcharge}
    return deposit_for_grade(row.base or ZERO, terms)


def merchant_money_policy(*, merchant: Merchant) -> dict[str, Any]:
    """REP-3: why the shop must hold what it holds and waits as long as it waits, for the seller centre
    and the merchant API: the grade policy, the categories' deposit, the required deposit, the balance."""
    policy = grade_policy_for_merchant(merchant=merchant)
    base = merchant_base_deposit(merchant=merchant)
    return {
        **policy,
        "base_deposit": base,
        "required_deposit": deposit_for_grade(base, policy),
        "deposit_balance": merchant_deposit_balance(merchant=merchant),
    }


def _category_lineage(category: Category) -> list[Category]:
    """The category and its ancestors, nearest first (a merchant approved for a parent sells in children)."""
    lineage: list[Category] = []
    node: Category | None = category
    while node is not None and node not in lineage:
        lineage.append(node)
        node = node.parent
    return lineage


def category_required_document_kinds(*, category: Category) -> list[str]:
    """MER-1, MER-7: the industry licences needed to list in ``category`` (its own and its ancestors')."""
    kinds: list[str] = []
    for node in _category_lineage(category):
        for kind in node.required_document_kinds or []:
            if kind not in kinds:
                kinds.append(kind)
    return kinds


def merchant_valid_document_kinds(*, merchant: Merchant) -> set[str]:
    """MER-7: the document kinds the merchant holds a currently valid document of."""
    today = clock.localdate()
    docs = QualificationDocument.objects.filter(merchant=merchant, superseded_at__isnull=True)
    return {doc.kind for doc in docs if doc.is_valid_on(today)}


def merchant_may_list(*, merchant: Merchant, category: Category) -> tuple[bool, str]:
    """MER-4, MER-5, MER-7, MER-8: may ``merchant`` put a new listing in ``category``? ``(ok, reason)``.

    The merchant must be active (restricted merchants keep trading but list nothing new), approved for
    the category (or one of its ancestors), have accepted the agreement in force, hold at least the
    category's deposit, and hold a valid document of every kind the category requires.
    The reason is empty when allowed, else a translated sentence for the merchant.
    """
    if merchant.status != Merchant.Status.ACTIVE:
        return False, _("The shop is %(status)s and may not publish new listings.") % {
            "status": merchant.get_status_display()
        }
    approved = set(merchant.categories.values_list("pk", flat=True))
    if not any(node.pk in approved for node in _category_lineage(category)):
        return False, _("The shop is not approved to sell in the category %(category)s.") % {
            "category": category.name
        }
    if not merchant_has_accepted_current_agreement(merchant=merchant):
        return False, _("Accept the current platform service agreement first.")
    balance = merchant_deposit_balance(merchant=merchant)
    needed = deposit_for_grade(category.deposit_amount, grade_policy_for_merchant(merchant=merchant))
    if balance < needed:
        return False, _(
            "The category needs a deposit of %(required)s CNY; the shop holds %(balance)s CNY."
        ) % {
            "required": needed,
            "balance": balance,
        }
    missing = [
        k
        for k in category_required_document_kinds(category=category)
        if k not in merchant_valid_document_kinds(merchant=merchant)
    ]
    if missing:
        return False, _("A valid document is missing for this category: %(kinds)s.") % {
            "kinds": ", ".join(missing)
        }
    return True, ""


def closure_pending_from_ledger(*, merchant: Merchant, include_deposit: bool = True) -> list[str]:
    """MER-8: money the merchant still has with the platform (deposit, payable) blocks closure; without
    ``include_deposit`` the payable only (a closure approval returns the deposit itself)."""
    merchant_type = ContentType.objects.get_for_model(Merchant)
    kinds = [AccountKind.MERCHANT_PAYABLE] + ([AccountKind.MERCHANT_DEPOSIT] if include_deposit else [])
    pending = []
    for account in LedgerAccount.objects.filter(
        owner_type=merchant_type, owner_id=merchant.pk, kind__in=kinds
    ).exclude(balance=0):
        pending.append(
            _("%(account)s still holds %(balance)s CNY.")
            % {"account": account.get_kind_display(), "balance": account.balance}
        )
    return pending


def merchant_closure_request_list(*, merchant: Merchant) -> Any:
    """MER-5, MER-8: the shop's closure requests, newest first (the seller centre's closure page)."""
    return merchant.closure_requests.select_related("refund_transaction").order_by("-requested_at", "-pk")[
        :20
    ]


def closure_banner_annotations() -> dict[str, Any]:
    """MER-8: a subquery on a membership row (``merchants.dashboard_banner_queries``): the status of the
    shop's latest closure request, or NULL."""
    latest = MerchantClosureRequest.objects.filter(merchant_id=OuterRef("merchant_id")).order_by(
        "-requested_at", "-pk"
    )
    return {"mer8_closure_status": Subquery(latest.values("status")[:1])}
