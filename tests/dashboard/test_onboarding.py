"""MER-1..MER-5 through the dashboard: register, apply, upload documents, submit, see the reviewer's
feedback, accept the agreement, see the deposit."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from merchants.models import Merchant, MerchantApplication
from merchants.services.applications import application_approve, application_request_more_info
from platform_core.accounts.models import User
from tests.dashboard.conftest import merchant_reviewer
from tests.factories.merchants import CategoryFactory, PlatformAgreementFactory, credit_code, pdf_upload

pytestmark = pytest.mark.django_db


def _register(client: Client) -> User:
    response = client.post(
        "/merchant/register/",
        {"name": "王五", "phone": "13712345678", "email": "", "password": "a-long-passphrase-42"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    # issue 20 (low): signing up signs no one in; the sign-in page says the same for a taken number
    assert response["Location"] == "/merchant/login/"
    response = client.post(
        "/merchant/login/", {"username": "13712345678", "password": "a-long-passphrase-42"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(response["Location"])["Location"] == "/merchant/onboarding/"  # no shop yet
    return User.objects.get(phone="13712345678")


def _apply(client: Client, category_id: int, code: str) -> MerchantApplication:
    response = client.post(
        "/merchant/onboarding/application/",
        {
            "shop_name": "王五的小店",
            "legal_name": "王五商贸有限公司",
            "credit_code": code,
            "legal_representative": "王五",
            "registered_address": "北京市海淀区中关村大街1号",
            "contact_phone": "13712345678",
            "contact_email": "shop@example.com",
            "categories": [category_id],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return MerchantApplication.objects.get(credit_code=code)


def _upload(client: Client, kind: str, valid_until: str = "") -> None:
    today = timezone.localdate()
    response = client.post(
        "/merchant/onboarding/documents/",
        {
            "kind": kind,
            "number": f"NO-{kind}",
            "issuer": "北京市市场监督管理局",
            "valid_from": (today - timedelta(days=30)).isoformat(),
            "valid_until": valid_until,
            "file": pdf_upload(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def test_mer_1_register_apply_upload_submit_and_see_feedback(client: Client) -> None:
    category = CategoryFactory.create(required_document_kinds=["food_licence"])
    user = _register(client)
    application = _apply(client, category.pk, credit_code(910001))
    assert application.applicant == user and application.status == MerchantApplication.Status.DRAFT

    # submitting with documents missing is refused, and the page says which
    client.post("/merchant/onboarding/submit/")
    page = client.get("/merchant/onboarding/").content.decode()
    assert 'data-testid="missing-documents"' in page
    application.refresh_from_db()
    assert application.status == MerchantApplication.Status.DRAFT

    _upload(client, "business_licence")
    _upload(client, "tax_registration")
    _upload(client, "food_licence", valid_until=(timezone.localdate() + timedelta(days=400)).isoformat())
    assert client.post("/merchant/onboarding/submit/").status_code == 302
    application.refresh_from_db()
    assert application.status == MerchantApplication.Status.SUBMITTED

    # the reviewer sends it back: the applicant sees the feedback and may edit again
    application_request_more_info(
        application=application, reason="营业执照照片不清晰", actor=merchant_reviewer()
    )
    page = client.get("/merchant/onboarding/").content.decode()
    assert "营业执照照片不清晰" in page
    assert "/merchant/onboarding/documents/" in page  # the upload form is offered again


def test_mer_1_document_upload_rejects_a_non_pdf_file(client: Client) -> None:
    category = CategoryFactory.create()
    _register(client)
    _apply(client, category.pk, credit_code(910002))
    response = client.post(
        "/merchant/onboarding/documents/",
        {
            "kind": "business_licence",
            "number": "X",
            "issuer": "Y",
            "valid_from": timezone.localdate().isoformat(),
            "file": pdf_upload(name="evil.pdf", content=b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    assert "PDF" in response.content.decode()


def test_mer_1_invalid_credit_code_is_shown_on_its_field(client: Client) -> None:
    category = CategoryFactory.create()
    _register(client)
    response = client.post(
        "/merchant/onboarding/application/",
        {
            "shop_name": "店",
            "legal_name": "公司",
            "credit_code": "911100000000000000",
            "legal_representative": "王五",
            "registered_address": "地址",
            "contact_phone": "13712345678",
            "contact_email": "a@example.com",
            "categories": [category.pk],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get("credit_code")


def test_mer_4_approved_applicant_accepts_the_agreement_and_the_shop_opens(client: Client) -> None:
    PlatformAgreementFactory(version="2026.1")
    category = CategoryFactory.create()
    _register(client)
    application = _apply(client, category.pk, credit_code(910003))
    _upload(client, "business_licence")
    _upload(client, "tax_registration")
    client.post("/merchant/onboarding/submit/")
    application.refresh_from_db()
    application_approve(application=application, reason="资料齐全", actor=merchant_reviewer())
    merchant = Merchant.objects.get(applications=application)
    assert merchant.status == Merchant.Status.ONBOARDING

    home = client.get("/merchant/").content.decode()
    assert "/merchant/agreement/" in home  # the agreement is the first thing to do
    onboarding = client.get("/merchant/onboarding/").content.decode()
    assert 'data-testid="deposit-balance"' in onboarding and "资料齐全" in onboarding

    assert client.post("/merchant/agreement/").status_code == 302
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.ACTIVE
    assert merchant.agreement_acceptances.get().ip == "127.0.0.1"
