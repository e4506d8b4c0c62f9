"""A shop's quick replies (快捷短语, MSG-1, MSG-2): the phrases its reply form offers, in the shop's order.

A new shop starts with the platform's built-in phrases (``DEFAULT_QUICK_REPLIES``); a seeded phrase the
shop has not edited keeps its ``default_key`` and is shown in the reader's language; once edited it is the
shop's own text. Removing one keeps the row (``deleted_at``), so the defaults are seeded once per shop.
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from platform_core import clock

#: MSG-1: the built-in quick replies a shop starts with: key -> (title, text), translated at display.
DEFAULT_QUICK_REPLIES: tuple[tuple[str, Any, Any], ...] = (
    ("greeting", _("Greeting"), _("Hello, thank you for your message. How can we help you?")),
    ("in_stock", _("In stock"), _("This item is in stock and ships within 48 hours of payment.")),
    ("shipped", _("Shipped"), _("Your order has been shipped; you can follow the parcel on the order page.")),
    ("checking", _("Checking"), _("We are checking this for you and will reply as soon as possible.")),
    (
        "aftersales",
        _("After-sales"),
        _("Sorry for the trouble. Please open an after-sales request on the order page."),
    ),
    ("thanks", _("Thanks"), _("Thank you for shopping with us!")),
)
DEFAULTS_BY_KEY = {key: (title, text) for key, title, text in DEFAULT_QUICK_REPLIES}


class QuickReply(models.Model):
    """MSG-1: one of a shop's quick replies, at its ``position`` in the shop's list."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="quick_replies")
    title = models.CharField(_("title"), max_length=40)
    text = models.CharField(_("text"), max_length=1000)
    position = models.PositiveIntegerField(_("position"), default=0)
    #: a built-in phrase not edited since it was seeded: shown in the reader's language
    default_key = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("quick reply")
        verbose_name_plural = _("quick replies")
        indexes = [models.Index(fields=["merchant", "position"], name="quick_reply_shop_order_idx")]

    def __str__(self) -> str:
        return gettext("Shop #%(merchant)s: %(title)s") % {"merchant": self.merchant_id, "title": self.title}

    @property
    def shown_title(self) -> str:
        default = DEFAULTS_BY_KEY.get(self.default_key)
        return str(default[0]) if default else self.title

    @property
    def shown_text(self) -> str:
        default = DEFAULTS_BY_KEY.get(self.default_key)
        return str(default[1]) if default else self.text
