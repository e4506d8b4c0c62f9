"""Reviews, shill orders and the moderator's flag queue (REP-1, REP-2)."""

from orders.models import Order, Review, ReviewFlag
from orders.services.cart import cart_item_add
from orders.services.checkout import order_checkout
from orders.services.reviews import review_create, review_hide
from simulation.trade import TradeBehaviour


class ReviewBehaviour(TradeBehaviour):
    """A shill buys as a customer does (``pay``), so the reviews build on trading."""

    # --- reviews (REP-1, REP-2) -----------------------------------------------------------------------------

    #: the stars a genuine customer gives, by how the merchant behaves (a shill always gives five)
    STARS = {"diligent": (4, 5, 5), "late_shipper": (1, 2, 3), "ignorer": (2, 3, 3), "shill": (5,)}
    #: signals that tie a reviewer to the shop itself: a moderator hides such reviews as proven fake
    CONTACT_SIGNALS = (
        ReviewFlag.Signal.SHARED_PHONE,
        ReviewFlag.Signal.SHARED_ADDRESS,
        ReviewFlag.Signal.SHARED_DEVICE,
    )

    def do_customer_review(self, order_id: int) -> None:
        order = Order.objects.get(pk=order_id)
        customer = self.customers_by_pk[order.customer_id]
        merchant = self.merchants_by_pk[order.merchant_id]
        stars = self.rng.choice(
            self.STARS.get("shill" if customer.kind == "shill" else merchant.kind, (3, 4, 5))
        )
        for line_id in order.lines.order_by("pk").values_list("pk", flat=True):
            review = self.call(
                "review",
                review_create,
                customer=customer.user,
                order_id=order_id,
                line_id=line_id,
                rating=stars,
                description_rating=stars,
                service_rating=stars,
                logistics_rating=stars,
                text="好评！" if stars >= 4 else "一般",
                actor=customer.user,
            )
            if review is None:
                continue
            self.tally.counts["reviews.written"] += 1
            if customer.kind == "shill":
                self.tally.shill_review_ids.append(review.pk)

    def shills_buy(self) -> None:
        """A merchant buying fake reviews: one of its own accounts orders from it, shipped to the shop's own
        address, confirms at once and posts five stars (REP-2 must flag every such review)."""
        if self.tick % self.config.ticks_per_day != 4:
            return
        assert self.population is not None
        for actor in self.population.merchants:
            if not actor.shills or self.rng.random() >= self.config.shill_order_chance_per_day:
                continue
            own = [sku for sku in self.on_sale if self.merchant_of_sku[sku] is actor]
            if not own:
                continue
            shill = self.rng.choice(actor.shills)
            self.call(
                "cart_item_add",
                cart_item_add,
                customer=shill.user,
                sku_id=self.rng.choice(own),
                quantity=1,
                actor=shill.user,
            )
            merchant = actor.merchant
            orders = self.call(
                "checkout",
                order_checkout,
                customer=shill.user,
                shipping_name=shill.user.name,
                shipping_phone=merchant.contact_phone,
                shipping_address=merchant.registered_address,
                actor=shill.user,
            )
            for order in sorted(orders or [], key=lambda o: o.pk):
                self.tally.counts["orders.shill"] += 1
                self.pay(order, shill)

    def moderate_reviews(self) -> None:
        """Once a day a moderator works the flag queue: a review tied to the shop by phone, address or device
        is hidden as proven fake (the merchant gets a fake_reviews violation); other flags wait."""
        assert self.population is not None
        flagged = (
            Review.objects.filter(
                flags__status=ReviewFlag.Status.OPEN, flags__signal__in=self.CONTACT_SIGNALS
            )
            .exclude(status=Review.Status.HIDDEN)
            .values_list("pk", flat=True)
            .distinct()
            .order_by("pk")
        )
        for review in Review.objects.filter(pk__in=flagged).order_by("pk"):
            if self.call(
                "review_hide",
                review_hide,
                review=review,
                reason=Review.HideReason.PROVEN_FAKE,
                note="与店铺同一地址或电话",
                actor=self.population.admin,
            ):
                self.tally.counts["reviews.hidden_as_fake"] += 1
