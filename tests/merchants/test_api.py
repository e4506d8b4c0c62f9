"""The merchant API: MER-9 public profile, MER-1/2 onboarding steps, MER-4 acceptance, members, SEC-4 files."""

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from merchants.models import AgreementAcceptance, DocumentKind, Merchant, MerchantApplication, MerchantMember
from merchants.permissions import IsMerchantMember
from platform_core.accounts.models import User
from tests.conftest import client_for
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.merchants import (
    PDF_BYTES,
    CategoryFactory,
    MerchantApplicationFactory,
    MerchantFactory,
    PlatformAgreementFactory,
    QualificationDocumentFactory,
    credit_code,
)

pytestmark = pytest.mark.django_db


def _upload(
    client: APIClient,
    application: MerchantApplication,
    kind: str,
    content: bytes = PDF_BYTES,
    name: str = "a.pdf",
) -> Any:
    return client.post(
        f"/api/v1/merchant/applications/{application.pk}/documents/",
        {
            "kind": kind,
            "number": "91110000X",
            "issuer": "SAMR",
            "valid_from": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "valid_until": (timezone.localdate() + timedelta(days=800)).isoformat(),
            "file": SimpleUploadedFile(name, content),
        },
        format="multipart",
    )


# --- MER-9 ---------------------------------------------------------------------------------------------


def test_mer_9_public_profile_shows_licence_info_and_self_operated_label(api_client: APIClient) -> None:
    merchant = MerchantFactory.create(is_self_operated=True)
    response = api_client.get(f"/api/v1/merchants/{merchant.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["credit_code"] == merchant.credit_code
    assert body["legal_name"] == merchant.legal_name
    assert body["self_operated_label"] == "自营"
    assert body["credit_grade"] is None and body["penalties_in_force"] == []


def test_mer_9_public_profile_shows_legal_representative_and_licences_in_force(api_client: APIClient) -> None:
    """ECL Art. 15: the legal representative (masked: a person's name) and the business licence and
    industry licences (行政许可) with their numbers and validity; expired, superseded and non-licence
    documents are not shown, nor any file."""
    merchant = MerchantFactory.create(legal_representative="王小明")
    today = timezone.localdate()
    QualificationDocumentFactory.create(merchant=merchant, number="91310000MA1FL0000X", valid_until=None)
    QualificationDocumentFactory.create(
        merchant=merchant,
        kind=DocumentKind.FOOD_LICENCE,
        number="JY13101150000001",
        issuer="上海市浦东新区市场监督管理局",
        valid_until=today + timedelta(days=400),
    )
    QualificationDocumentFactory.create(  # expired yesterday
        merchant=merchant,
        kind=DocumentKind.COSMETICS_LICENCE,
        number="EXPIRED-1",
        valid_until=today - timedelta(days=1),
    )
    QualificationDocumentFactory.create(  # replaced by a renewal
        merchant=merchant, kind=DocumentKind.FOOD_LICENCE, number="OLD-FOOD", superseded_at=timezone.now()
    )
    QualificationDocumentFactory.create(merchant=merchant, kind=DocumentKind.TAX_REGISTRATION, number="TAX-1")

    body = api_client.get(f"/api/v1/merchants/{merchant.pk}/").json()

    assert body["legal_representative"] == "王**"
    assert "王小明" not in str(body)
    licences = {licence["kind"]: licence for licence in body["licences"]}
    assert set(licences) == {"business_licence", "food_licence"}
    food = licences["food_licence"]
    assert food["number"] == "JY13101150000001"
    assert food["issuer"] == "上海市浦东新区市场监督管理局"
    assert food["valid_until"] == (today + timedelta(days=400)).isoformat()
    assert food["kind_label"] == "Food business licence"
    assert licences["business_licence"]["valid_until"] is None  # long-term
    assert "file" not in food
    assert (
        body["credit_code"] == merchant.credit_code
        and "penalties_in_force" in body
        and "credit_grade" in body
    )
    schema = api_client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and "LicencePublic" in schema.content.decode()


@pytest.mark.parametrize("status", ["onboarding", "suspended", "closed", "banned"])
def test_mer_9_public_profile_hidden_unless_trading(api_client: APIClient, status: str) -> None:
    merchant = MerchantFactory.create(status=status)
    assert api_client.get(f"/api/v1/merchants/{merchant.pk}/").status_code == 404


# --- MER-1, MER-2 through the API ----------------------------------------------------------------------


def test_mer_1_api_invalid_credit_code_400_with_field_message() -> None:
    client = client_for(UserFactory.create())
    code = credit_code(5)
    response = client.post(
        "/api/v1/merchant/applications/",
        {
            "shop_name": "店",
            "legal_name": "公司",
            "credit_code": code[:17] + ("1" if code[17] != "1" else "2"),
            "legal_representative": "张三",
            "registered_address": "北京",
            "contact_phone": "13800000000",
            "contact_email": "a@example.com",
            "category_ids": [CategoryFactory.create().pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "check digit" in response.json()["errors"]["credit_code"][0]


def test_mer_2_api_onboarding_create_upload_submit() -> None:
    applicant = UserFactory.create()
    client = client_for(applicant)
    response = client.post(
        "/api/v1/merchant/applications/",
        {
            "shop_name": "好店",
            "legal_name": "好店有限公司",
            "credit_code": credit_code(6),
            "legal_representative": "李四",
            "registered_address": "杭州",
            "contact_phone": "13800000001",
            "contact_email": "b@example.com",
            "category_ids": [CategoryFactory.create().pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    application = MerchantApplication.objects.get(pk=response.json()["id"])
    submit_url = f"/api/v1/merchant/applications/{application.pk}/submit/"
    missing = client.post(submit_url)
    assert missing.status_code == 400
    assert missing.json()["errors"]["documents"] == ["business_licence", "tax_registration"]
    assert _upload(client, application, "business_licence").status_code == 201
    assert _upload(client, application, "tax_registration").status_code == 201
    response = client.post(submit_url)
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert (
        client.patch(
            f"/api/v1/merchant/applications/{application.pk}/", {"shop_name": "x"}, format="json"
        ).status_code
        == 409
    )


def test_sec_1_other_applicants_application_is_404() -> None:
    application = MerchantApplicationFactory.create()
    client = client_for(UserFactory.create())
    assert client.get(f"/api/v1/merchant/applications/{application.pk}/").status_code == 404


# --- SEC-4 ---------------------------------------------------------------------------------------------


def test_sec_4_upload_by_extension_alone_refused_via_api() -> None:
    application = MerchantApplicationFactory.create()
    client = client_for(application.applicant)
    response = _upload(
        client, application, "business_licence", content=b"MZ\x90\x00 not a pdf", name="licence.pdf"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_type_not_allowed"


def test_sec_4_upload_served_only_to_members_and_reviewers() -> None:
    application = MerchantApplicationFactory.create()
    owner_client = client_for(application.applicant)
    document_id = _upload(owner_client, application, "business_licence").json()["id"]
    url = f"/api/v1/merchant/documents/{document_id}/file/"

    response = owner_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"

    reviewer = StaffFactory.create()
    reviewer.user_permissions.add(Permission.objects.get(codename="review_merchantapplication"))
    assert client_for(User.objects.get(pk=reviewer.pk)).get(url).status_code == 200

    assert client_for(UserFactory.create()).get(url).status_code == 404
    assert (
        client_for(StaffFactory.create()).get(url).status_code == 404
    )  # staff without the review permission
    other_merchant = MerchantFactory.create()
    assert client_for(other_merchant.owner).get(url).status_code == 404


def test_sec_4_merchant_member_sees_its_merchants_documents() -> None:
    merchant = MerchantFactory.create()
    staff_member = UserFactory.create()
    MerchantMember.objects.create(merchant=merchant, user=staff_member, role=MerchantMember.Role.OPERATIONS)
    owner_client = client_for(merchant.owner)
    response = owner_client.post(
        "/api/v1/merchant/documents/",
        {
            "kind": DocumentKind.FOOD_LICENCE,
            "number": "JY1",
            "issuer": "SAMR",
            "valid_from": timezone.localdate().isoformat(),
            "file": SimpleUploadedFile("x.pdf", PDF_BYTES),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    url = f"/api/v1/merchant/documents/{response.json()['id']}/file/"
    assert client_for(staff_member).get(url).status_code == 200
    # only the owner uploads
    assert (
        client_for(staff_member).post("/api/v1/merchant/documents/", {}, format="multipart").status_code
        == 403
    )


# --- MER-4, members -------------------------------------------------------------------------------------


def test_mer_4_api_accept_records_ip_and_user() -> None:
    merchant = MerchantFactory.create()
    agreement = PlatformAgreementFactory.create()
    client = client_for(merchant.owner)
    assert client.get("/api/v1/merchant/agreements/current/").json()["version"] == agreement.version
    response = client.post(f"/api/v1/merchant/agreements/{agreement.pk}/accept/", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 201
    acceptance = AgreementAcceptance.objects.get()
    assert (acceptance.user, acceptance.ip, acceptance.merchant) == (merchant.owner, "198.51.100.7", merchant)


def test_members_owner_invites_with_role_and_roles_limit_access() -> None:
    merchant = MerchantFactory.create()
    invitee = UserFactory.create(phone="13912345678")
    owner_client = client_for(merchant.owner)
    response = owner_client.post(
        "/api/v1/merchant/members/", {"login": "13912345678", "role": "finance"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending" and response.json()["role"] == "finance"
    invitee_client = client_for(invitee)
    assert invitee_client.get("/api/v1/merchant/").status_code == 403  # not a member before accepting
    accepted = invitee_client.post(f"/api/v1/account/merchant-invitations/{response.json()['id']}/accept/")
    assert accepted.status_code == 200, accepted.content
    member = MerchantMember.objects.get(merchant=merchant, user=invitee)
    assert member.role == "finance"
    me = invitee_client.get("/api/v1/merchant/")
    assert me.status_code == 200 and me.json()["role"] == "finance" and me.json()["id"] == merchant.pk
    # a finance member may not invite or remove
    assert (
        invitee_client.post(
            "/api/v1/merchant/members/", {"login": "x@example.com", "role": "operations"}, format="json"
        ).status_code
        == 403
    )
    assert invitee_client.delete(f"/api/v1/merchant/members/{member.pk}/").status_code == 403
    assert owner_client.delete(f"/api/v1/merchant/members/{member.pk}/").status_code == 204
    assert invitee_client.get("/api/v1/merchant/").status_code == 403
    assert client_for(UserFactory.create()).get("/api/v1/merchant/").status_code == 403


def test_is_merchant_member_with_roles_rejects_unknown_role() -> None:
    with pytest.raises(ValueError, match="unknown merchant roles"):
        IsMerchantMember.with_roles("boss")
    assert Merchant.Status.ACTIVE == "active"


def test_mer_6_api_merchant_submits_open_reverification() -> None:
    from merchants.models import Reverification

    merchant = MerchantFactory.create()
    reverification = Reverification.objects.create(merchant=merchant)
    client = client_for(merchant.owner)
    listed = client.get("/api/v1/merchant/reverifications/").json()
    assert [r["id"] for r in listed] == [reverification.pk]
    response = client.post(f"/api/v1/merchant/reverifications/{reverification.pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    other = client_for(MerchantFactory.create().owner)
    assert other.post(f"/api/v1/merchant/reverifications/{reverification.pk}/submit/").status_code == 404


def test_mer_6a_api_change_report_starts_verification() -> None:
    merchant = MerchantFactory.create()
    response = client_for(merchant.owner).post(
        "/api/v1/merchant/changes/", {"contact_phone": "13700000000"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    merchant.refresh_from_db()
    assert merchant.contact_phone == ""  # applied only once staff verify it


def test_mer_4_agreement_restriction_blocks_orders_not_other_restrictions() -> None:
    from merchants.services.lifecycle import merchant_restrict

    merchant = MerchantFactory.create()
    merchant = merchant_restrict(merchant=merchant, cause=Merchant.Cause.DEPOSIT, reason="low", actor=None)
    assert merchant.is_trading and merchant.may_take_orders
    merchant = merchant_restrict(merchant=merchant, cause=Merchant.Cause.AGREEMENT, reason="v2", actor=None)
    assert merchant.is_trading and not merchant.may_take_orders
