"""The owner invites staff with roles and removes them (merchants.services.members.merchant_member_*)."""

import pytest
from django.test import Client

from merchants.models import Merchant, MerchantMember, StaffInvitation
from merchants.services.members import merchant_invitation_accept
from tests.dashboard.conftest import client_as, member_of
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_owner_invites_a_registered_user_with_a_role(owner_client: Client, shop: Merchant) -> None:
    staff = UserFactory.create()
    response = owner_client.post("/merchant/members/", {"login": staff.phone, "role": "finance"})
    assert response.status_code == 302
    assert not MerchantMember.objects.filter(merchant=shop, user=staff).exists()  # not before they accept
    invitation = StaffInvitation.objects.get(merchant=shop, user=staff)
    assert str(staff) in owner_client.get("/merchant/members/").content.decode()
    merchant_invitation_accept(invitation=invitation, actor=staff)
    member = MerchantMember.objects.get(merchant=shop, user=staff)
    assert member.role == "finance"
    # and the new member may open the money page but not the members page
    assert client_as(staff).get("/merchant/money/").status_code == 200
    assert client_as(staff).get("/merchant/members/").status_code == 403


def test_inviting_an_unknown_login_shows_the_error(owner_client: Client) -> None:
    response = owner_client.post("/merchant/members/", {"login": "nobody@example.com", "role": "operations"})
    assert response.status_code == 400
    assert "No account" in response.content.decode() or response.context["form"].errors


def test_owner_removes_a_member(owner_client: Client, shop: Merchant) -> None:
    user = member_of(shop, "operations")
    member = MerchantMember.objects.get(user=user)
    assert owner_client.post(f"/merchant/members/{member.pk}/remove/").status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert client_as(user).get("/merchant/").status_code == 302  # no shop any more: onboarding
