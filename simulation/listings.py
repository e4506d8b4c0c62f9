"""Merchants post listings and staff review them (CAT-2, CAT-3, CAT-4); a rights holder files IP notices
(CAT-7)."""

from catalog.models import IpNotice, Listing
from catalog.selectors import listing_visible_q
from catalog.services.ip_notices import ip_notice_counter, ip_notice_file, ip_notice_validate
from catalog.services.listings import listing_create, listing_submit
from catalog.services.review import listing_approve, listing_reject
from simulation.base import SimulationBase
from simulation.setup import MerchantActor

PRICES = ("19.90", "39.00", "59.00", "99.00", "129.00", "199.00", "299.00")
GOODS = ("保温杯", "帆布包", "陶瓷碗", "蓝牙耳机", "棉袜", "台灯", "雨伞", "毛巾", "笔记本", "收纳盒")
HARD_CLAIMS = ("管制刀具", "窃听器", "代开发票")
SOFT_CLAIMS = ("全网最低", "国家级", "最佳", "100%有效")


class ListingBehaviour(SimulationBase):
    # --- listings and staff review (CAT-2, CAT-3, CAT-4) -----------------------------------------------------

    def listing_post(self, actor: MerchantActor, *, claim: str) -> None:
        assert self.population is not None
        goods = self.rng.choice(GOODS)
        price = self.rng.choice(PRICES)
        title = f"{claim}{goods}" if claim else f"{goods} {actor.index}-{self.tick}"
        listing = self.call(
            "listing_create",
            listing_create,
            merchant=actor.merchant,
            category=self.population.category,
            title=title,
            description=f"模拟商品：{goods}。{claim}",
            images=[{"url": "https://img.example.com/sim.jpg", "alt": goods}],
            skus=[{"code": "A", "price": price, "stock": 100000, "attributes": {}}],
            actor=actor.owner,
        )
        if listing is None:
            return
        if self.call("listing_submit", listing_submit, listing=listing, actor=actor.owner) is None:
            self.tally.counts["listings.hard_claim_blocked" if claim else "listings.blocked"] += 1
            return
        self.tally.counts["listings.submitted"] += 1
        slow = self.tick > 0 and self.rng.random() < self.config.slow_review_chance
        delay = self.rng.randint(7, 9) if slow else self.rng.randint(1, 3)
        self.schedule(delay, "review", listing.pk, bool(claim))

    def merchants_post_listings(self) -> None:
        if self.tick % self.config.ticks_per_day != 2:  # merchants work on listings once a day, mid-morning
            return
        assert self.population is not None
        for actor in self.population.merchants:
            if actor.kind == "banned_claims" and self.rng.random() < 0.5:
                claim = self.rng.choice(HARD_CLAIMS if self.rng.random() < 0.5 else SOFT_CLAIMS)
                self.listing_post(actor, claim=claim)
            elif self.rng.random() < 0.2:
                self.listing_post(actor, claim="")

    def do_review(self, listing_id: int, has_claim: bool) -> None:
        assert self.population is not None
        reviewer = self.population.reviewer
        listing = Listing.objects.get(pk=listing_id)
        if has_claim:
            if self.call(
                "listing_reject", listing_reject, listing=listing, actor=reviewer, reason="含绝对化用语"
            ):
                self.tally.counts["listings.rejected"] += 1
            return
        listing = self.call("listing_approve", listing_approve, listing=listing, actor=reviewer)
        if listing is None:
            return
        self.tally.counts["listings.approved"] += 1
        actor = self.merchants_by_pk[listing.merchant_id]
        for sku_id in Listing.objects.get(pk=listing_id).skus.order_by("pk").values_list("pk", flat=True):
            self.on_sale.append(sku_id)
            self.merchant_of_sku[sku_id] = actor

    # --- IP notice-and-takedown (CAT-7) ---------------------------------------------------------------------

    def rights_holder_files(self) -> None:
        """Once a day a rights holder may file a notice against a listing on sale: some claims are true
        (the merchant stays silent and the takedown stands), some false (the merchant counter-notices and
        the listing returns after 15 days with no human action)."""
        if (
            self.tick % self.config.ticks_per_day != 3
            or self.rng.random() >= self.config.ip_notice_chance_per_day
        ):
            return
        assert self.population is not None
        visible = list(
            Listing.objects.filter(listing_visible_q()).order_by("pk").values_list("pk", flat=True)
        )
        if not visible:
            return
        false_claim = self.rng.random() < self.config.false_notice_share
        notice = self.call(
            "ip_notice_file",
            ip_notice_file,
            listing_id=self.rng.choice(visible),
            rights_holder=self.population.rights_holder,
            right_kind="trademark",
            right_reference=f"TM{self.tick:08d}",
            description="未经授权使用注册商标",
            proof=["trademark-certificate.pdf"],
        )
        if notice is None:
            return
        self.tally.ip_notices[notice.pk] = false_claim
        self.tally.counts["ip_notices.filed"] += 1
        self.schedule(self.rng.randint(1, 3), "ip_notice_validate", notice.pk, false_claim)

    def do_ip_notice_validate(self, notice_id: int, false_claim: bool) -> None:
        assert self.population is not None
        notice = IpNotice.objects.get(pk=notice_id)
        if not self.call(
            "ip_notice_validate", ip_notice_validate, notice=notice, actor=self.population.admin
        ):
            return
        self.tally.counts["ip_notices.taken_down"] += 1
        if false_claim:
            self.schedule(self.rng.randint(1, 6), "ip_notice_counter", notice_id)

    def do_ip_notice_counter(self, notice_id: int) -> None:
        notice = IpNotice.objects.select_related("listing__merchant").get(pk=notice_id)
        merchant = self.merchants_by_pk[notice.listing.merchant_id]
        if self.call(
            "ip_notice_counter",
            ip_notice_counter,
            notice=notice,
            merchant=merchant.merchant,
            statement="本店商品为自有品牌，不构成侵权",
            proof=["own-brand-registration.pdf"],
            actor=merchant.owner,
        ):
            self.tally.counts["ip_notices.counter_noticed"] += 1
