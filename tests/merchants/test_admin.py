"""MER-2, MER-3, MER-8 in the staff admin: the review queue and transition buttons that run services."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from merchants.models import DocumentKind, Merchant, MerchantApplication, MerchantStatusChange
from merchants.selectors.standing import merchant_deposit_balance
from merchants.services.applications import application_submit
from platform_core.accounts.models import User
from tests.factories.accounts import StaffFactory
from tests.factories.merchants import (
    MerchantApplicationFactory,
    MerchantFactory,
    PlatformAgreementFactory,
    QualificationDocumentFactory,
    credit_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_reviewer(client: Client) -> Client:
    user = StaffFactory.create()
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "review_merchantapplication",
                "view_merchantapplication",
                "change_merchantapplication",
                "view_merchant",
                "change_merchant",
            ]
        )
    )
    client.force_login(User.objects.get(pk=user.pk))
    return client


def _submitted(**kwargs: object) -> MerchantApplication:
    application = MerchantApplicationFactory.create(**kwargs)
    for kind in (DocumentKind.BUSINESS_LICENCE, DocumentKind.TAX_REGISTRATION):
        QualificationDocumentFactory.create(application=application, kind=kind)
    return application_submit(application=application, actor=application.applicant)


def test_mer_2_admin_queue_oldest_first_with_time_left_and_prior_record(
    admin_client_reviewer: Client,
) -> None:
    MerchantFactory.create(credit_code=credit_code(900), status=Merchant.Status.CLOSED, name="旧店")
    first = _submitted(credit_code=credit_code(900))
    second = _submitted()
    response = admin_client_reviewer.get(reverse("admin:merchants_merchantapplication_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index(first.shop_name) < content.index(second.shop_name)
    assert " d " in content  # time left
    detail = admin_client_reviewer.get(reverse("admin:merchants_merchantapplication_change", args=[first.pk]))
    assert detail.status_code == 200
    assert "旧店" in detail.content.decode()
    assert 'value="approve"' in detail.content.decode()


def test_mer_2_admin_approve_button_runs_the_service(admin_client_reviewer: Client) -> None:
    application = _submitted()
    url = reverse("admin:merchants_merchantapplication_transition", args=[application.pk, "reject"])
    response = admin_client_reviewer.post(url, {"reason": "licence expired"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == MerchantApplication.Status.REJECTED
    assert application.decision_reason == "licence expired"
    assert application.reviewer is not None


def test_mer_8_admin_suspend_records_status_change(admin_client_reviewer: Client) -> None:
    merchant = MerchantFactory.create()
    url = reverse("admin:merchants_merchant_transition", args=[merchant.pk, "suspend"])
    assert admin_client_reviewer.post(url, {"reason": "fraud investigation"}).status_code == 302
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.SUSPENDED
    change = MerchantStatusChange.objects.get(merchant=merchant)
    assert (change.cause, change.reason) == ("staff", "fraud investigation")


def test_mer_5_admin_records_deposit_payment_once_per_reference(admin_client_reviewer: Client) -> None:
    merchant = MerchantFactory.create()
    url = reverse("admin:merchants_merchant_deposit", args=[merchant.pk])
    assert admin_client_reviewer.get(url).status_code == 200
    for _ in range(2):  # the same bank reference twice posts once
        response = admin_client_reviewer.post(url, {"amount": "2000.00", "payment_reference": "BANK-1"})
        assert response.status_code == 302
    assert merchant_deposit_balance(merchant=merchant) == Decimal("2000.00")


def test_mer_10_agreement_versions_cannot_be_deleted_or_edited(admin_client_reviewer: Client) -> None:
    from django.contrib import admin as django_admin

    from merchants.admin.agreements import PlatformAgreementAdmin
    from merchants.models import PlatformAgreement

    model_admin = PlatformAgreementAdmin(PlatformAgreement, django_admin.site)
    request = admin_client_reviewer.get("/").wsgi_request
    agreement = PlatformAgreementFactory.create()
    assert not model_admin.has_delete_permission(request, agreement)
    assert set(model_admin.get_readonly_fields(request, agreement)) >= {"version", "body", "effective_at"}
