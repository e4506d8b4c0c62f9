"""PAY-4 (decision 037): the merchants' payout accounts for staff — read-only and masked: staff see which
account a payout goes to (kind, holder, bank, last four characters), never the number, and change nothing
(only the shop's owner changes it, with a second factor)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from orders.admin._common import ReadOnlyAdmin
from orders.models import PayoutAccount


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    list_display = [
        "merchant",
        "kind",
        "holder_name",
        "bank_name",
        "number_masked",
        "active_from",
        "replaced_at",
    ]
    list_filter = ["kind"]
    search_fields = ["merchant__name", "holder_name", "=last4"]
    list_select_related = ["merchant"]
    exclude = ["number"]
    readonly_fields = ["number_masked"]

    @admin.display(description=_("account number"))
    def number_masked(self, account: PayoutAccount) -> str:
        return account.masked
