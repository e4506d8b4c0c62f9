"""DRF permission for the merchant API: the caller works for a merchant, in one of the allowed roles."""

from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from merchants.models import Merchant, MerchantMember
from merchants.selectors.members import merchant_for_member


def merchant_member_set(request: Any, *, merchant: Merchant, role: str) -> None:
    """Record on the request the shop its caller is a member of, and the caller's role there (done by
    ``IsMerchantMember`` and by the dashboard's ``merchant_required``)."""
    request.merchant, request.merchant_role = merchant, role


def merchant_for_request(request: Any) -> Merchant:
    """The shop of the member who made the request (an API view behind ``IsMerchantMember`` or a
    dashboard page behind ``merchant_required``)."""
    merchant = getattr(request, "merchant", None)
    if not isinstance(merchant, Merchant):
        raise ImproperlyConfigured("merchant_for_request() needs IsMerchantMember or merchant_required.")
    return merchant


def merchant_role_for_request(request: Any) -> str:
    """The caller's role in the shop of ``merchant_for_request(request)``."""
    role: str = request.merchant_role
    return role


class IsMerchantMember(BasePermission):
    """Allows members of a merchant; read the shop with ``merchant_for_request(request)``.

    ``IsMerchantMember`` admits every role; ``IsMerchantMember.with_roles("owner", "finance")`` only those.
    Non-members get 403 (they are authenticated but not merchant staff).
    """

    allowed_roles: ClassVar[frozenset[str] | None] = None
    message = gettext_lazy("Only members of a shop may do this.")

    @classmethod
    def with_roles(cls, *roles: str) -> type["IsMerchantMember"]:
        unknown = set(roles) - set(MerchantMember.Role.values)
        if unknown:
            raise ValueError(f"unknown merchant roles: {sorted(unknown)}")
        return type(f"IsMerchantMember_{'_'.join(roles)}", (cls,), {"allowed_roles": frozenset(roles)})

    def has_permission(self, request: Request, view: APIView) -> bool:
        found = merchant_for_member(user=request.user)  # type: ignore[arg-type]
        if found is None:
            return False
        merchant, role = found
        if self.allowed_roles is not None and role not in self.allowed_roles:
            self.message = gettext_lazy("Your role in the shop does not allow this.")
            return False
        merchant_member_set(request, merchant=merchant, role=role)
        return True

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        merchant = getattr(request, "merchant", None)
        owner_id = getattr(obj, "merchant_id", None)
        return merchant is not None and (owner_id is None or owner_id == merchant.pk)


IsMerchantOwner = IsMerchantMember.with_roles(MerchantMember.Role.OWNER)


Role = MerchantMember.Role

#: Who answers after-sales requests (approve, refuse, confirm a return's receipt) and takes part in
#: disputes and complaints for the shop: the API and the dashboard admit the same roles (AFS-3, DSP-2).
AFTERSALES_RESPONDERS: tuple[str, ...] = (Role.OWNER, Role.OPERATIONS, Role.CUSTOMER_SERVICE)
#: Who issues a refund the system could not pay at once (AFS-4, PAY-5): operations does not move money.
AFTERSALES_REFUNDERS: tuple[str, ...] = (Role.OWNER, Role.CUSTOMER_SERVICE, Role.FINANCE)
DISPUTANTS: tuple[str, ...] = AFTERSALES_RESPONDERS
#: Who ships, cancels and reships the shop's orders and answers a delivery case by reshipping (ORD-3,
#: ORD-10): the API and the dashboard admit the same roles (finance and customer service do not ship).
ORDER_SHIPPERS: tuple[str, ...] = (Role.OWNER, Role.OPERATIONS)
#: Who answers and reports the shop's reviews (REP-1): the roles that talk to customers.
REVIEW_ANSWERERS: tuple[str, ...] = AFTERSALES_RESPONDERS
