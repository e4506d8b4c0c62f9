"""AFS-4, AFS-1: what a merchant promises beyond the law, recorded on the merchant's behalf."""

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.models import MerchantAfterSalesPolicy
from merchants.models import Merchant
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.errors import Forbidden
from platform_core.locking import lock


@transaction.atomic
def aftersales_policy_set(
    *, merchant: Merchant, pays_no_reason_return_shipping: bool, warranty_days: int | None, actor: User
) -> MerchantAfterSalesPolicy:
    """AFS-4: the merchant's promise (return shipping, warranty) as staff record it; orders snapshot it at
    purchase (ORD), so each change is audited with what it replaced."""
    if not actor.has_perm("aftersales.change_merchantaftersalespolicy"):
        raise Forbidden(_("You may not change merchants' after-sales policies."), code="forbidden")
    merchant = lock(Merchant, merchant.pk)
    policy, _created = MerchantAfterSalesPolicy.objects.get_or_create(merchant=merchant)
    before = {
        "pays_no_reason_return_shipping": policy.pays_no_reason_return_shipping,
        "warranty_days": policy.warranty_days,
    }
    policy.pays_no_reason_return_shipping, policy.warranty_days = (
        pays_no_reason_return_shipping,
        warranty_days,
    )
    policy.save()
    after = {"pays_no_reason_return_shipping": pays_no_reason_return_shipping, "warranty_days": warranty_days}
    audit_record(
        actor=actor, action="aftersales.policy_changed", subject=merchant, before=before, after=after
    )
    return policy
