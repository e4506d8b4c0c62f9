"""What several catalog API modules share: the merchant-scoped base view and its permissions."""

from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.views import APIView

from merchants.models import MerchantMember
from merchants.permissions import IsMerchantMember

ListingEditor = IsMerchantMember.with_roles(MerchantMember.Role.OWNER, MerchantMember.Role.OPERATIONS)


class MerchantScopedApi(APIView):
    """Merchant API views: any member may read; owners and operations staff may change listings (403
    otherwise). The caller's shop is ``merchant_for_request(request)``."""

    def get_permissions(self) -> list[BasePermission]:
        editor = self.request.method not in SAFE_METHODS
        return [IsAuthenticated(), ListingEditor() if editor else IsMerchantMember()]
