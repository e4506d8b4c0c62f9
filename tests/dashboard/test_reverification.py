"""MER-6 in the dashboard: when re-verification is due the merchant sees the deadline and resubmits."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from merchants.models import Merchant, MerchantMember, QualificationDocument, Reverification
from merchants.services.reverification import reverification_open
from tests.dashboard.conftest import client_as, member_of
from tests.factories.merchants import PDF_BYTES

pytestmark = pytest.mark.django_db


def test_mer_6_nothing_due_says_so(owner_client: Client) -> None:
    response = owner_client.get("/merchant/reverification/")
    assert response.status_code == 200
    assert response.context["reverification"] is None
    assert "No re-verification is due." in response.content.decode()


def test_mer_6_due_reverification_shows_the_deadline_and_the_owner_resubmits(
    owner_client: Client, shop: Merchant
) -> None:
    reverification = reverification_open(merchant=shop)
    assert reverification is not None
    home = owner_client.get("/merchant/").content.decode()
    assert "Re-verification is due" in home
    page = owner_client.get("/merchant/reverification/")
    shown = page.context["reverification"]
    assert shown.pk == reverification.pk
    assert abs(shown.due_at - (reverification.opened_at + timedelta(days=30))) < timedelta(seconds=5)
    assert page.context["countdown"]["hours"] in (719, 720)
    today = timezone.localdate()
    response = owner_client.post(
        "/merchant/reverification/documents/",
        {
            "kind": "business_licence",
            "number": "RE-2026",
            "issuer": "市场监督管理局",
            "valid_from": (today - timedelta(days=10)).isoformat(),
            "valid_until": (today + timedelta(days=700)).isoformat(),
            "file": SimpleUploadedFile("licence.pdf", PDF_BYTES),
        },
    )
    assert response.status_code == 302
    assert QualificationDocument.objects.filter(merchant=shop, number="RE-2026", superseded_at=None).exists()
    assert owner_client.post("/merchant/reverification/submit/").status_code == 302
    reverification.refresh_from_db()
    assert reverification.status == Reverification.Status.SUBMITTED
    assert "Re-verification is due" not in owner_client.get("/merchant/").content.decode()


def test_mer_6_a_document_that_is_not_a_pdf_or_image_is_refused(owner_client: Client, shop: Merchant) -> None:
    reverification_open(merchant=shop)
    response = owner_client.post(
        "/merchant/reverification/documents/",
        {
            "kind": "business_licence",
            "number": "RE-BAD",
            "issuer": "x",
            "valid_from": timezone.localdate().isoformat(),
            "file": SimpleUploadedFile("licence.pdf", b"not a pdf at all"),
        },
    )
    assert response.status_code == 400
    assert not QualificationDocument.objects.filter(number="RE-BAD").exists()


def test_mer_6_members_see_it_only_the_owner_resubmits(shop: Merchant) -> None:
    reverification_open(merchant=shop)
    client = client_as(member_of(shop, MerchantMember.Role.OPERATIONS))
    assert client.get("/merchant/reverification/").status_code == 200
    assert client.post("/merchant/reverification/submit/").status_code == 403
    assert client.post("/merchant/reverification/documents/", {}).status_code == 403
