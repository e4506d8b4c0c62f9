"""ORD-1, AFS-1, AFS-4: the shop sets its own after-sales policy; new orders' contracts copy it."""

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.models import MerchantAfterSalesPolicy
from merchants.models import Merchant
from merchants.services.lifecycle import merchant_lock
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import InvalidInput


@transaction.atomic
def aftersales_policy_set(
    *,
    merchant: Merchant,
    pays_no_reason_return_shipping: bool,
    warranty_days: int | None,
    exchange_repair_terms: str,
    actor: User,
) -> MerchantAfterSalesPolicy:
    """ORD-1: change the shop's policy (under the merchant's lock, audited). Orders already placed keep
    the policy their contract copied at checkout; only later orders get the new one."""
    if warranty_days is not None and not 0 < warranty_days <= 3650:
        raise InvalidInput(
            _("The warranty is between 1 and 3650 days."),
            errors={"warranty_days": [_("Between 1 and 3650 days, or empty for the platform's default.")]},
        )
    merchant = merchant_lock(merchant_id=merchant.pk)
    policy, _created = MerchantAfterSalesPolicy.objects.select_for_update().get_or_create(merchant=merchant)
    before = {
        "pays_no_reason_return_shipping": policy.pays_no_reason_return_shipping,
        "warranty_days": policy.warranty_days,
        "exchange_repair_terms": policy.exchange_repair_terms,
    }
    policy.pays_no_reason_return_shipping = pays_no_reason_return_shipping
    policy.warranty_days = warranty_days
    policy.exchange_repair_terms = exchange_repair_terms.strip()
    policy.updated_at = clock.now()
    policy.save()
    audit_record(
        actor=actor,
        action="aftersales.policy_changed",
        subject=merchant,
        before=before,
        after={
            "pays_no_reason_return_shipping": policy.pays_no_reason_return_shipping,
            "warranty_days": policy.warranty_days,
            "exchange_repair_terms": policy.exchange_repair_terms,
        },
    )
    return policy
