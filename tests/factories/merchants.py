"""Merchant factories. Rows are written directly for arrangement; behaviour goes through services."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.models import Category
from merchants.models import (
    DocumentKind,
    Merchant,
    MerchantApplication,
    MerchantMember,
    PlatformAgreement,
    QualificationDocument,
)
from merchants.selectors.figures import RatingBucket, kpi_sources, rating_sources
from merchants.validators import credit_code_check_digit
from platform_core.accounts.roles import Role
from tests.factories.accounts import StaffFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def credit_code(n: int) -> str:
    """A valid unified social credit code (GB 32100-2015) numbered ``n``."""
    first17 = f"91110000{n:09d}"
    return first17 + credit_code_check_digit(first17)


def pdf_upload(name: str = "licence.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"类目{n}")
    slug = factory.Sequence(lambda n: f"merchants-cat-{n}")
    deposit_amount = Decimal("1000.00")
    required_document_kinds: Any = factory.LazyFunction(list)


class MerchantFactory(factory.django.DjangoModelFactory[Merchant]):
    """An active merchant with its owner as member (and in the merchant_owner group)."""

    class Meta:
        model = Merchant
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"店铺{n}")
    legal_name = factory.Sequence(lambda n: f"演示商贸有限公司{n}")
    credit_code = factory.Sequence(credit_code)
    owner = factory.SubFactory(UserFactory, role=Role.MERCHANT_OWNER)
    status = Merchant.Status.ACTIVE
    activated_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def owner_member(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            MerchantMember.objects.create(merchant=self, user=self.owner, role=MerchantMember.Role.OWNER)  # type: ignore[misc]

    @factory.post_generation
    def categories(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.categories.set(extracted)


class MerchantApplicationFactory(factory.django.DjangoModelFactory[MerchantApplication]):
    class Meta:
        model = MerchantApplication
        skip_postgeneration_save = True

    applicant = factory.SubFactory(UserFactory)
    shop_name = factory.Sequence(lambda n: f"申请店铺{n}")
    legal_name = factory.Sequence(lambda n: f"申请商贸有限公司{n}")
    credit_code = factory.Sequence(lambda n: credit_code(500000 + n))
    legal_representative = "张三"
    registered_address = "北京市朝阳区建国路1号"
    contact_phone = "13800000000"
    contact_email = factory.Sequence(lambda n: f"shop{n}@example.com")

    @factory.post_generation
    def categories(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.categories.set(extracted or [CategoryFactory()])


class QualificationDocumentFactory(factory.django.DjangoModelFactory[QualificationDocument]):
    class Meta:
        model = QualificationDocument

    kind = DocumentKind.BUSINESS_LICENCE
    number = factory.Sequence(lambda n: f"DOC{n:08d}")
    issuer = "市场监督管理局"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    valid_until: Any = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))
    file = factory.django.FileField(filename="doc.pdf", data=PDF_BYTES)
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.SubFactory(UserFactory)


class PlatformAgreementFactory(factory.django.DjangoModelFactory[PlatformAgreement]):
    """An agreement already in force (published 8 days ago, effective yesterday)."""

    class Meta:
        model = PlatformAgreement

    version = factory.Sequence(lambda n: f"1.{n}")
    title = "平台服务协议"
    body = "商品质量、售后与责任条款。"
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=8))
    effective_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


# --- REP-3, VIO-2..VIO-6: the merchant's standing ---------------------------------------------------


class ComplianceReviewerFactory(StaffFactory):
    """A compliance staff member who may decide violation appeals (VIO-4)."""

    role = Role.STAFF_COMPLIANCE

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def appeal_permission(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.user_permissions.add(Permission.objects.get(codename="decide_violationappeal"))  # type: ignore[attr-defined]


class FakeStandingSources:
    """Registers fake ``rating_sources`` / ``kpi_sources`` for the merchants it is given figures for,
    the way orders, after-sales and disputes will; ``with FakeStandingSources() as sources:``."""

    def __init__(self) -> None:
        self.figures: dict[int, dict[str, int]] = {}
        self.ratings: dict[int, list[RatingBucket]] = {}
        self.calls: list[tuple[int, datetime, datetime]] = []

    def kpi_source(self, merchant: Merchant, since: datetime, until: datetime) -> dict[str, int]:
        self.calls.append((merchant.pk, since, until))
        return dict(self.figures.get(merchant.pk, {}))

    def rating_source(self, merchant: Merchant, since: datetime, until: datetime) -> list[RatingBucket]:
        first, last = timezone.localtime(since).date(), timezone.localtime(until).date()
        return [b for b in self.ratings.get(merchant.pk, []) if first <= b.day <= last]

    def __enter__(self) -> "FakeStandingSources":
        kpi_sources.register(self.kpi_source)
        rating_sources.register(self.rating_source)
        return self

    def __exit__(self, *exc: object) -> None:
        kpi_sources.unregister(self.kpi_source)
        rating_sources.unregister(self.rating_source)
