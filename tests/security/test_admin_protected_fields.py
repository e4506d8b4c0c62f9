"""Issue 21, "Admin fields that must not be free text" (MER-6a, REP-3, MER-8, MER-9, STF-2, PAY-1, PAY-8, AFS-4).

Anyone with ``change_merchant`` could type grade 5 into a merchant's credit, rename its legal entity or make
it self-operated, with no audit row. Every field a rule computes or governs is read-only in every admin
that shows it (the walk below covers every registered ModelAdmin and its inlines, for a superuser, on the
add and the change page); the admins whose forms stay editable save through a service, with its audit row.
"""

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Model
from django.test import Client, RequestFactory
from django_fsm import FSMField

from aftersales.models import MerchantAfterSalesPolicy
from merchants.admin.base import PROTECTED_MERCHANT_FIELDS
from orders.models import ReconciliationDifference
from platform_core.accounts.models import User
from platform_core.audit.models import AuditEntry
from tests.factories.accounts import UserFactory
from tests.factories.merchants import MerchantFactory

pytestmark = pytest.mark.django_db

#: model label -> the fields a rule computes or governs (changed only by services)
PROTECTED: dict[str, tuple[str, ...]] = {
    "merchants.Merchant": PROTECTED_MERCHANT_FIELDS,
    "merchants.MerchantCreditSnapshot": ("merchant", "score", "grade", "components", "computed_at"),
    "merchants.MerchantKpi": ("merchant", "kpi", "value", "sample", "level", "violation"),
    "merchants.Violation": ("merchant", "kind", "points", "track", "voided_at"),
    "merchants.Penalty": ("merchant", "measure", "starts_at", "ends_at", "lifted_at", "overturned"),
    "merchants.QualificationDocument": ("merchant", "kind", "number", "valid_from", "valid_until", "file"),
    "accounts.User": ("is_staff", "is_superuser", "groups", "user_permissions"),
    "auth.Group": ("permissions",),
    "staff.PermissionGrant": ("user", "permission", "expires_at", "revoked_at"),
    "orders.Order": ("status", "total", "merchant", "customer", "paid_at", "settled_at", "contract"),
    "catalog.Listing": ("status", "on_sale", "live_version", "candidate_version", "merchant", "category"),
    "ledger.LedgerEntry": ("transaction", "account", "amount"),
    "ledger.LedgerAccount": ("kind", "balance", "owner_id"),
    "ledger.LedgerTransaction": ("kind", "idempotency_key", "reverses"),
    "orders.ReconciliationDifference": (
        "day",
        "provider",
        "kind",
        "reference",
        "ledger_amount",
        "provider_amount",
    ),
}


def _superuser_request() -> Any:
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=UserFactory.create(is_staff=True, is_superuser=True).pk)
    return request


def _editable(model_admin: Any, request: Any, obj: Model | None) -> set[str]:
    """The fields the page's form lets the user type into."""
    if obj is None and not model_admin.has_add_permission(
        request, *([None] if _is_inline(model_admin) else [])
    ):
        return set()
    if obj is not None and not model_admin.has_change_permission(request, obj):
        return set()
    fields = set(flatten_fieldsets(model_admin.get_fieldsets(request, obj)))
    return fields - set(model_admin.get_readonly_fields(request, obj))


def _is_inline(model_admin: Any) -> bool:
    return isinstance(model_admin, admin.options.InlineModelAdmin)


def _all_admins() -> list[tuple[type[Model], Any]]:
    found = []
    for model, model_admin in admin.site._registry.items():
        found.append((model, model_admin))
        for inline_class in model_admin.inlines:
            found.append((inline_class.model, inline_class(model, admin.site)))
    return found


def test_mer_6a_rep_3_every_admin_shows_rule_governed_fields_read_only() -> None:
    request = _superuser_request()
    offenders = []
    for model, model_admin in _all_admins():
        protected = set(PROTECTED.get(model._meta.label, ()))
        # MER-8, CAT-2, …: a state machine's status changes by its transitions (services) only
        protected |= {f.name for f in model._meta.fields if isinstance(f, FSMField)}
        if not protected:
            continue
        existing = model._default_manager.first() or model()
        for obj in (None, existing):
            editable = _editable(model_admin, request, obj)
            if editable & protected:
                page = "add" if obj is None else "change"
                offenders.append(f"{type(model_admin).__name__} ({page}): {sorted(editable & protected)}")
    assert offenders == []


def test_mer_6a_the_walk_covers_every_protected_model() -> None:
    """A protected model that no admin shows any more would make the test above pass vacuously."""
    shown = {model._meta.label for model, _admin in _all_admins()}
    assert {label for label in PROTECTED if apps.get_model(label)._meta.label not in shown} == set()


@pytest.fixture
def superuser_client() -> tuple[Client, User]:
    user = UserFactory.create(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client, user


def test_mer_6a_rep_3_posting_a_grade_legal_name_or_self_operated_flag_changes_nothing(
    superuser_client,
) -> None:
    client, _user = superuser_client
    merchant = MerchantFactory.create(legal_name="某某有限公司")
    before = {
        f: getattr(merchant, f) for f in ("legal_name", "credit_grade", "credit_score", "is_self_operated")
    }
    audit_before = AuditEntry.objects.count()
    response = client.post(
        f"/admin/merchants/merchant/{merchant.pk}/change/",
        {"legal_name": "别的公司", "credit_grade": "5", "credit_score": "99.00", "is_self_operated": "on"},
    )
    assert response.status_code in (200, 302)
    merchant.refresh_from_db()
    assert {f: getattr(merchant, f) for f in before} == before
    assert AuditEntry.objects.count() == audit_before
    page = client.get(f"/admin/merchants/merchant/{merchant.pk}/change/").content.decode()
    for name in ("legal_name", "credit_grade", "credit_score", "is_self_operated"):
        assert f'name="{name}"' not in page, name
    # MER-1, MER-2: a merchant is admitted from an approved application, never added here
    assert client.get("/admin/merchants/merchant/add/").status_code == 403


def test_pay_8_settling_a_reconciliation_difference_in_the_admin_is_audited(superuser_client) -> None:
    client, user = superuser_client
    difference = ReconciliationDifference.objects.create(
        day="2026-12-01", provider="alipay", kind="missing", reference="T1", ledger_amount="10.00"
    )
    response = client.post(
        f"/admin/orders/reconciliationdifference/{difference.pk}/change/",
        {"status": "resolved", "note": "provider paid late"},
    )
    assert response.status_code == 302, response.content
    difference.refresh_from_db()
    assert (difference.status, difference.note) == ("resolved", "provider paid late")
    entry = AuditEntry.objects.get(action="reconciliation.difference_settled")
    assert entry.actor_id == user.pk
    assert (entry.before or {})["status"] == "open" and (entry.after or {})["status"] == "resolved"


def test_afs_4_changing_a_merchants_aftersales_policy_in_the_admin_is_audited(superuser_client) -> None:
    client, user = superuser_client
    merchant = MerchantFactory.create()
    response = client.post(
        "/admin/aftersales/merchantaftersalespolicy/add/",
        {"merchant": merchant.pk, "pays_no_reason_return_shipping": "on", "warranty_days": "30"},
    )
    assert response.status_code == 302, response.content
    policy = MerchantAfterSalesPolicy.objects.get(merchant=merchant)
    assert policy.pays_no_reason_return_shipping and policy.warranty_days == 30
    response = client.post(
        f"/admin/aftersales/merchantaftersalespolicy/{policy.pk}/change/", {"warranty_days": "90"}
    )
    assert response.status_code == 302, response.content
    entries = list(AuditEntry.objects.filter(action="aftersales.policy_changed").order_by("pk"))
    assert [(e.after or {})["warranty_days"] for e in entries] == [30, 90]
    assert (entries[1].before or {})["warranty_days"] == 30 and entries[1].actor_id == user.pk
    policy.refresh_from_db()
    assert policy.warranty_days == 90 and not policy.pays_no_reason_return_shipping
