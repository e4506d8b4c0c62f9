"""Demo merchants for ``seed_demo``: one shop in every lifecycle state, applications awaiting review.

Everything goes through the services (application → review → agreement → deposit → status changes), so
the demo data carries the same audit trail, deadlines and notifications as real data. Idempotent: a shop
is looked up by its credit code and skipped if it exists.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import OutputWrapper

from catalog.models import Category
from merchants.models import DocumentKind, Merchant, MerchantApplication, PlatformAgreement, Violation
from merchants.services.agreements import agreement_accept
from merchants.services.applications import (
    application_approve,
    application_create,
    application_document_add,
    application_request_more_info,
    application_submit,
)
from merchants.services.deposits import merchant_deposit_credit
from merchants.services.lifecycle import merchant_ban, merchant_close, merchant_restrict, merchant_suspend
from merchants.services.penalties import penalty_publish
from merchants.services.violations import violation_record
from merchants.validators import credit_code_check_digit
from platform_core import clock
from platform_core.accounts.demo import DASHBOARD, demo_user
from platform_core.accounts.models import User

DEMO_PDF = b"%PDF-1.4\n% demo licence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# (label, owner email, target state); the first is the demo merchant owner's own shop
DEMO_SHOPS = (
    ("演示旗舰店", "merchant@demo.local", "active"),
    ("演示待签约店", "shop-onboarding@demo.local", "onboarding"),
    ("演示受限店", "shop-restricted@demo.local", "restricted"),
    ("演示暂停店", "shop-suspended@demo.local", "suspended"),
    ("演示已关闭店", "shop-closed@demo.local", "closed"),
    ("演示封禁店", "shop-banned@demo.local", "banned"),
)
DEMO_APPLICATIONS = (
    ("演示待审核店", "applicant-submitted@demo.local", "submitted"),
    ("演示补充材料店", "applicant-more-info@demo.local", "needs_more_info"),
    ("演示草稿店", "applicant-draft@demo.local", "draft"),
)


def _code(n: int) -> str:
    first17 = f"91310000DEM0{n:05d}"
    return first17 + credit_code_check_digit(first17)


def _user(email: str, name: str, *, state: str = "", signs_in_at: str = DASHBOARD) -> User:
    """The shop owner's or applicant's demo account (password ``DEMO_PASSWORD``, printed by seed_demo)."""
    label = f"{name} ({state})" if state else name
    return demo_user(email=email, name=name, label=label, signs_in_at=signs_in_at)


def _categories() -> list[Category]:
    general, _ = Category.objects.get_or_create(
        slug="demo-general",
        defaults={"name": "日用百货", "name_en": "General goods", "deposit_amount": Decimal("1000.00")},
    )
    food, _ = Category.objects.get_or_create(
        slug="demo-food",
        defaults={
            "name": "食品",
            "name_en": "Food",
            "deposit_amount": Decimal("5000.00"),
            "required_document_kinds": [DocumentKind.FOOD_LICENCE],
            "no_reason_return_excluded": True,
        },
    )
    return [general, food]


def _application(n: int, label: str, owner: User, categories: list[Category]) -> MerchantApplication:
    application = application_create(
        applicant=owner,
        category_ids=[c.pk for c in categories],
        actor=owner,
        shop_name=label,
        legal_name=f"{label}商贸有限公司",
        credit_code=_code(n),
        legal_representative="王五",
        registered_address="上海市浦东新区世纪大道100号",
        contact_phone="13800138000",
        contact_email=owner.email or "",
    )
    kinds = [DocumentKind.BUSINESS_LICENCE, DocumentKind.TAX_REGISTRATION, DocumentKind.FOOD_LICENCE]
    for kind in kinds:
        application_document_add(
            application=application,
            kind=kind,
            number=f"DEMO-{n}-{kind}",
            issuer="上海市市场监督管理局",
            valid_from=clock.localdate() - timedelta(days=365),
            valid_until=clock.localdate() + timedelta(days=3 * 365),
            file=SimpleUploadedFile(f"{kind}.pdf", DEMO_PDF),
            actor=owner,
        )
    return application


def _penalised(merchant: Merchant, reviewer: User) -> None:
    """VIO-1, VIO-2, VIO-5: two false listings found by staff reach 12 general points — a 7-day listing
    restriction in force — which staff publish at once (rather than within the working day)."""
    for n in (1, 2):
        violation_record(
            merchant=merchant,
            kind="false_listing",
            evidence={"note": f"演示：商品{n}描述与实物不符"},
            source=Violation.Source.STAFF,
            actor=reviewer,
        )
    for penalty in merchant.penalties.filter(published_at__isnull=True, lifted_at__isnull=True):
        penalty_publish(penalty=penalty, actor=reviewer)


def seed(*, stdout: OutputWrapper) -> None:
    reviewer = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if reviewer is None:
        stdout.write("merchants demo: no superuser to review applications; skipped")
        return
    categories = _categories()
    agreement = PlatformAgreement.objects.order_by("effective_at").first()
    if agreement is None:
        now = clock.now()
        # Historic version: published long enough ago to be in force (MER-4's 7 days' notice).
        agreement = PlatformAgreement.objects.create(
            version="1.0",
            title="平台服务协议",
            body="一、商品质量：商家保证所售商品符合国家标准。\n二、售后：遵守七日无理由退货。\n三、责任：……",
            published_at=now - timedelta(days=30),
            effective_at=now - timedelta(days=20),
        )

    for n, (label, email, state) in enumerate(DEMO_SHOPS, start=1):
        owner = _user(email, label, state=state)
        if Merchant.objects.filter(credit_code=_code(n)).exists():
            continue
        application = application_submit(application=_application(n, label, owner, categories), actor=owner)
        application = application_approve(application=application, reason="演示：资料齐全", actor=reviewer)
        merchant = application.merchant
        assert merchant is not None
        if state != "onboarding":
            agreement_accept(merchant=merchant, agreement=agreement, actor=owner, ip="127.0.0.1")
        if state in ("active", "restricted", "suspended", "banned"):
            merchant_deposit_credit(
                merchant=merchant,
                amount=Decimal("5000.00"),
                payment_reference=f"DEMO-DEPOSIT-{n}",
                idempotency_key=f"demo:merchant-deposit:{n}",
                actor=None,
            )
        if state == "restricted":
            merchant_restrict(
                merchant=merchant, cause=Merchant.Cause.STAFF, reason="演示：投诉待核实", actor=reviewer
            )
            _penalised(merchant, reviewer)
        elif state == "suspended":
            merchant_suspend(
                merchant=merchant, cause=Merchant.Cause.STAFF, reason="演示：涉嫌售假调查中", actor=reviewer
            )
        elif state == "closed":
            merchant_close(merchant=merchant, reason="演示：商家主动退出", actor=owner)
        elif state == "banned":
            merchant_ban(merchant=merchant, reason="演示：出售禁售商品", actor=reviewer)
        stdout.write(f"merchants demo: {label} ({state})")

    for n, (label, email, state) in enumerate(DEMO_APPLICATIONS, start=100):
        owner = _user(email, label, state=f"application {state}", signs_in_at=DASHBOARD)
        if MerchantApplication.objects.filter(credit_code=_code(n)).exists():
            continue
        application = _application(n, label, owner, categories)
        if state in ("submitted", "needs_more_info"):
            application = application_submit(application=application, actor=owner)
        if state == "needs_more_info":
            application_request_more_info(
                application=application, reason="演示：请补充税务登记证副本", actor=reviewer
            )
        stdout.write(f"merchants demo: application {label} ({state})")
