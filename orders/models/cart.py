"""The cart (ORD-1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Sku
from platform_core import clock


class Cart(models.Model):
    """ORD-1: one cart per customer; prices are not stored here (they are re-read at checkout)."""

    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return gettext("Cart of user #%(user)s") % {"user": self.customer_id}


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    added_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cart_item_sku_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_item_quantity_positive"),
        ]

    def __str__(self) -> str:
        return gettext("%(quantity)s × SKU #%(sku)s") % {"quantity": self.quantity, "sku": self.sku_id}
