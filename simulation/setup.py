"""The simulated population, created through the real services.

Merchants go through onboarding exactly as ``merchants.demo`` does (application → documents → submit →
review → deposit); the rights holder and shops' own accounts sign up with ``user_register``, the
customers in one batch with the same rows and audited role grant (``_customers_register``). Only what
has no service is written as rows: the staff accounts (as ``createsuperuser`` would) and the category
(reference data, as in the demo).
"""

import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Category
from merchants.models import DocumentKind, Merchant
from merchants.services.applications import (
    application_approve,
    application_create,
    application_document_add,
    application_submit,
)
from merchants.services.deposits import merchant_deposit_credit
from merchants.validators import credit_code_check_digit
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.accounts.services import user_grant_role, user_register
from simulation.config import CUSTOMER_KINDS, MERCHANT_KINDS, SimulationConfig, apportion

PDF = b"%PDF-1.4\n% simulated licence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: simulated accounts get one random password per run (nobody logs in as them)
PASSWORD = secrets.token_urlsafe(24)
EMAIL_DOMAIN = "sim.invalid"


@dataclass
class MerchantActor:
    index: int
    kind: str
    merchant: Merchant
    owner: User
    sku_ids: list[int] = field(default_factory=list)
    #: accounts the merchant controls to buy from itself and post five-star reviews (REP-2)
    shills: list["CustomerActor"] = field(default_factory=list)


@dataclass
class CustomerActor:
    index: int
    kind: str
    user: User


@dataclass
class Population:
    admin: User
    reviewer: User
    customer_service: User
    arbitrator: User
    rights_holder: User
    category: Category
    merchants: list[MerchantActor]
    customers: list[CustomerActor]


def _credit_code(n: int) -> str:
    first17 = f"913300007{n:08d}"
    return first17 + credit_code_check_digit(first17)


def _kinds(rng: random.Random, total: int, kinds: tuple[str, ...], shares: tuple[float, ...]) -> list[str]:
    result = [kind for kind, count in zip(kinds, apportion(total, shares), strict=True) for _ in range(count)]
    rng.shuffle(result)
    return result


def _staff_member(slug: str, *, name: str, role: Role) -> User:
    user = User.objects.filter(email=f"sim-{slug}@{EMAIL_DOMAIN}").first()
    if user is None:
        user = User.objects.create_user(
            email=f"sim-{slug}@{EMAIL_DOMAIN}", password=None, name=name, is_staff=True
        )
        user_grant_role(user=user, role=role)
    return User.objects.get(pk=user.pk)  # a fresh instance: no stale permission cache


def _staff() -> tuple[User, User, User, User]:
    """The platform's people: an administrator (who also mediates), a listing reviewer, a customer-service
    agent and an arbitrator of the committee (never the mediator of a case, DSP-3)."""
    admin = User.objects.filter(email=f"sim-admin@{EMAIL_DOMAIN}").first() or User.objects.create_superuser(
        email=f"sim-admin@{EMAIL_DOMAIN}", password=None, name="模拟管理员"
    )
    reviewer = _staff_member("reviewer", name="模拟审核员", role=Role.STAFF_OPERATIONS)
    customer_service = _staff_member("cs", name="模拟客服", role=Role.STAFF_CUSTOMER_SERVICE)
    arbitrator = _staff_member("arbitrator", name="模拟仲裁员", role=Role.STAFF_ARBITRATION)
    return admin, reviewer, customer_service, arbitrator


def _merchant(
    n: int, *, kind: str, admin: User, category: Category, deposit: Decimal, licence_days: int
) -> MerchantActor:
    owner = user_register(password=PASSWORD, email=f"sim-shop-{n}@{EMAIL_DOMAIN}", name=f"模拟店主{n}")
    label = f"模拟店铺{n}"
    application = application_create(
        applicant=owner,
        category_ids=[category.pk],
        actor=owner,
        shop_name=label,
        legal_name=f"{label}商贸有限公司",
        credit_code=_credit_code(n),
        legal_representative="赵六",
        registered_address="杭州市西湖区文三路1号",
        contact_phone="13900139000",
        contact_email=owner.email or "",
    )
    for document_kind in (DocumentKind.BUSINESS_LICENCE, DocumentKind.TAX_REGISTRATION):
        application_document_add(
            application=application,
            kind=document_kind,
            number=f"SIM-{n}-{document_kind}",
            issuer="杭州市市场监督管理局",
            valid_from=clock.localdate() - timedelta(days=365),
            # a merchant whose documents expire (MER-7) holds a business licence that runs out mid-run
            valid_until=clock.localdate()
            + timedelta(days=licence_days if document_kind == DocumentKind.BUSINESS_LICENCE else 3 * 365),
            file=SimpleUploadedFile(f"{document_kind}.pdf", PDF),
            actor=owner,
        )
    application = application_submit(application=application, actor=owner)
    application = application_approve(application=application, reason="模拟：资料齐全", actor=admin)
    merchant = application.merchant
    assert merchant is not None
    merchant_deposit_credit(
        merchant=merchant,
        amount=deposit,
        payment_reference=f"SIM-DEPOSIT-{n}",
        idempotency_key=f"simulation:merchant-deposit:{n}",
        actor=None,
    )
    merchant.refresh_from_db()
    return MerchantActor(index=n, kind=kind, merchant=merchant, owner=owner)


def _customers_register(count: int) -> list[User]:
    """``count`` customer accounts in three statements instead of ~8 each (decision 050): the rows in one
    INSERT, then the customer role granted to all through the group's reverse relation, which fires the
    same ``m2m_changed`` catch-all as ``user_register``'s grant — one ``rights.changed`` audit entry per
    customer (STF-2, AUD-1). ``user_register``'s checks are moot here: the addresses are the run's own,
    well-formed and unique by construction on the fresh database (the unique index would refuse one taken),
    the password is the run's random one, and a new plain customer has no staff flag whose change
    ``user_register``'s save would audit."""
    users = []
    for n in range(1, count + 1):
        user = User(email=f"sim-customer-{n}@{EMAIL_DOMAIN}", name=f"顾客{n}")
        user.set_password(PASSWORD)
        users.append(user)
    users = User.objects.bulk_create(users)
    Group.objects.get(name=Role.CUSTOMER).user_set.add(*users)
    return users


def population_create(*, config: SimulationConfig, rng: random.Random) -> Population:
    """Staff, one category, ``config.merchants`` active merchants with deposits, ``config.customers``
    customers; behaviour kinds are dealt out by the configured shares, shuffled by ``rng``."""
    admin, reviewer, customer_service, arbitrator = _staff()
    category, _created = Category.objects.get_or_create(
        slug="simulation-general",
        defaults={
            "name": "模拟日用百货",
            "name_en": "Simulated general goods",
            "deposit_amount": Decimal(config.deposit),
            "commission_rate": Decimal("0.0500"),
            # listings here need a valid business licence: when it expires they are suspended (MER-7)
            "required_document_kinds": [DocumentKind.BUSINESS_LICENCE.value],
        },
    )
    merchant_kinds = _kinds(rng, config.merchants, MERCHANT_KINDS, config.merchant_shares)
    merchants = [
        _merchant(
            n,
            kind=kind,
            admin=admin,
            category=category,
            deposit=Decimal(config.deposit),
            licence_days=rng.randint(2, max(2, config.days - 2)) if kind == "expiring_docs" else 3 * 365,
        )
        for n, kind in enumerate(merchant_kinds, start=1)
    ]
    rights_holder = user_register(password=PASSWORD, email=f"sim-rights@{EMAIL_DOMAIN}", name="模拟权利人")
    for actor in merchants:
        if actor.kind == "fake_reviews":
            actor.shills = [
                CustomerActor(
                    index=n,
                    kind="shill",
                    user=user_register(
                        password=PASSWORD,
                        email=f"sim-shill-{actor.index}-{n}@{EMAIL_DOMAIN}",
                        name=f"刷单{n}",
                    ),
                )
                for n in range(1, config.shills_per_merchant + 1)
            ]
    customer_kinds = _kinds(rng, config.customers, CUSTOMER_KINDS, config.customer_shares)
    customers = [
        CustomerActor(index=n, kind=kind, user=user)
        for (n, kind), user in zip(
            enumerate(customer_kinds, start=1), _customers_register(len(customer_kinds)), strict=True
        )
    ]
    return Population(
        admin=admin,
        reviewer=reviewer,
        customer_service=customer_service,
        arbitrator=arbitrator,
        rights_holder=rights_holder,
        category=category,
        merchants=merchants,
        customers=customers,
    )
