"""SEC (issue 20, low): a shop owner can no longer make any user shop staff without that user's consent.

The attack: the owner "adds" a stranger by phone number. Now that is an invitation; the stranger has
no access to the shop until they accept it (API for the user, the owner's members page for the owner),
an invitation expires after MERCHANT_STAFF_INVITATION_EXPIRES, only its invitee may answer it, and every
step is audited.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from merchants.models import MerchantMember, StaffInvitation
from platform_core.accounts.roles import Role
from platform_core.audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories.accounts import UserFactory
from tests.factories.merchants import MerchantFactory

pytestmark = pytest.mark.django_db

INVITATIONS = "/api/v1/account/merchant-invitations/"


def _invite(merchant: object, phone: str) -> dict[str, object]:
    response = client_for(merchant.owner).post(  # type: ignore[attr-defined]
        "/api/v1/merchant/members/", {"login": phone, "role": "finance"}, format="json"
    )
    assert response.status_code == 201, response.content
    body: dict[str, object] = response.json()
    return body


def test_sec_staff_invitation_owner_cannot_add_a_user_without_consent() -> None:
    merchant = MerchantFactory.create()
    stranger = UserFactory.create(phone="13911112222")
    invitation = _invite(merchant, "13911112222")
    assert invitation["status"] == "pending"
    assert not MerchantMember.objects.filter(merchant=merchant, user=stranger).exists()
    stranger.refresh_from_db()
    assert not stranger.has_role(Role.MERCHANT_STAFF)
    assert client_for(stranger).get("/api/v1/merchant/").status_code == 403
    assert AuditEntry.objects.filter(action="merchant.member_invited").exists()


def test_sec_staff_invitation_the_invitee_accepts_and_joins() -> None:
    merchant = MerchantFactory.create()
    user = UserFactory.create(phone="13911113333")
    invitation = _invite(merchant, "13911113333")
    client = client_for(user)
    listed = client.get(INVITATIONS).json()
    assert [i["id"] for i in listed] == [invitation["id"]] and listed[0]["merchant_name"] == merchant.name
    response = client.post(f"{INVITATIONS}{invitation['id']}/accept/")
    assert response.status_code == 200, response.content
    assert client.get("/api/v1/merchant/").json()["role"] == "finance"
    assert AuditEntry.objects.filter(action="merchant.member_joined", actor=user).exists()
    # answered once: a second answer is a 409
    assert client.post(f"{INVITATIONS}{invitation['id']}/decline/").status_code == 409


def test_sec_staff_invitation_declined_leaves_no_membership() -> None:
    merchant = MerchantFactory.create()
    user = UserFactory.create(phone="13911114444")
    invitation = _invite(merchant, "13911114444")
    client = client_for(user)
    assert client.post(f"{INVITATIONS}{invitation['id']}/decline/").json()["status"] == "declined"
    assert client.post(f"{INVITATIONS}{invitation['id']}/accept/").status_code == 409
    assert not MerchantMember.objects.filter(merchant=merchant, user=user).exists()
    assert AuditEntry.objects.filter(action="merchant.member_invitation_declined").exists()


def test_sec_staff_invitation_expires(time_machine: Any) -> None:
    time_machine.move_to(timezone.now())
    merchant = MerchantFactory.create()
    user = UserFactory.create(phone="13911115555")
    invitation = _invite(merchant, "13911115555")
    time_machine.shift(timedelta(days=7, minutes=1))
    client = client_for(user)
    assert client.get(INVITATIONS).json() == []
    response = client.post(f"{INVITATIONS}{invitation['id']}/accept/")
    assert response.status_code == 409 and response.json()["code"] == "invitation_expired"
    assert not MerchantMember.objects.filter(merchant=merchant, user=user).exists()
    assert StaffInvitation.objects.get(pk=int(str(invitation["id"]))).status == StaffInvitation.Status.PENDING


def test_sec_staff_invitation_only_the_invitee_may_answer() -> None:
    merchant = MerchantFactory.create()
    UserFactory.create(phone="13911116666")
    invitation = _invite(merchant, "13911116666")
    other = client_for(UserFactory.create())
    assert other.post(f"{INVITATIONS}{invitation['id']}/accept/").status_code == 404
    assert client_for(merchant.owner).post(f"{INVITATIONS}{invitation['id']}/accept/").status_code == 404
    assert MerchantMember.objects.filter(merchant=merchant).count() == 1  # the owner only
