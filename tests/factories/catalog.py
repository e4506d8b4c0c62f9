"""Catalog factories. Categories and banned terms are rows; listings are made through the services so
that every arranged listing went through the same lifecycle a real one does."""

from decimal import Decimal
from itertools import count
from typing import Any

import factory

from catalog.models import BannedTerm, Category, IpNotice, Listing
from catalog.services.listings import listing_create, listing_submit
from catalog.services.review import listing_approve
from merchants.models import Merchant
from merchants.services.deposits import merchant_deposit_credit
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from tests.factories.accounts import StaffFactory
from tests.factories.merchants import MerchantFactory

_keys = count(1)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"商品类目{n}")
    slug = factory.Sequence(lambda n: f"catalog-cat-{n}")
    deposit_amount = Decimal("0.00")
    required_document_kinds: Any = factory.LazyFunction(list)
    required_listing_fields: Any = factory.LazyFunction(list)


class BannedTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BannedTerm
        django_get_or_create = ("phrase",)

    phrase = factory.Sequence(lambda n: f"禁词{n}")
    severity = BannedTerm.Severity.SOFT
    reason = "test"


def merchant_for(category: Category, **kwargs: Any) -> Merchant:
    """An active merchant approved for ``category`` holding its deposit: it may list there."""
    merchant = MerchantFactory(categories=[category], **kwargs)
    if category.deposit_amount > 0:
        merchant_deposit_credit(
            merchant=merchant,
            amount=category.deposit_amount,
            payment_reference=f"test-{next(_keys)}",
            idempotency_key=f"catalog-test-deposit-{next(_keys)}",
            actor=None,
        )
    return merchant


def reviewer() -> User:
    return StaffFactory(role=Role.STAFF_OPERATIONS)


def draft_listing(
    *,
    merchant: Merchant,
    category: Category | None = None,
    title: str = "不锈钢保温杯 500ml",
    description: str = "双层真空，保温12小时。",
    price: str = "59.00",
    stock: int = 10,
    skus: list[dict[str, Any]] | None = None,
    **kwargs: Any,
) -> Listing:
    category = category or merchant.categories.first()
    assert category is not None
    return listing_create(
        merchant=merchant,
        category=category,
        title=title,
        description=description,
        images=kwargs.pop("images", [{"url": "https://img.example.com/1.jpg", "alt": "保温杯正面"}]),
        skus=skus or [{"code": "A", "price": price, "stock": stock, "attributes": {"颜色": "黑"}}],
        actor=merchant.owner,
        **kwargs,
    )


def approved_listing(*, merchant: Merchant, by: User | None = None, **kwargs: Any) -> Listing:
    listing = draft_listing(merchant=merchant, **kwargs)
    listing_submit(listing=listing, actor=merchant.owner)
    return listing_approve(listing=listing, actor=by or reviewer())


def ip_notice_taken_down(listing: Listing, **fields: Any) -> IpNotice:
    """CAT-7: a rights holder's notice against ``listing``, validated by staff: the listing is down and
    the notice forwarded to the shop, which may answer with a counter-notice."""
    from django.contrib.auth.models import Permission

    from catalog.services.ip_notices import ip_notice_file, ip_notice_validate
    from tests.factories.accounts import CustomerFactory

    data: dict[str, Any] = {
        "rights_holder": CustomerFactory.create(),
        "right_kind": "trademark",
        "right_reference": "TM-20261207",
        "description": "商标侵权：使用了注册商标“保温王”",
        "proof": ["https://example.com/tm"],
    }
    notice = ip_notice_file(listing_id=listing.pk, **(data | fields))
    staff = reviewer()
    staff.user_permissions.add(Permission.objects.get(codename="takedown_listing"))
    return ip_notice_validate(notice=notice, actor=User.objects.get(pk=staff.pk))
