"""USR-1: basic permissions restricted only by a penalty with a reason; privacy settings and their limits."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from platform_core.accounts.models import BasicPermission, PrivacySettings, User
from platform_core.accounts.selectors import basic_permissions_for, privacy_settings_for, user_may
from platform_core.accounts.services import (
    privacy_settings_update,
    user_restriction_impose,
    user_restriction_lift,
)
from platform_core.errors import Conflict, Forbidden, InvalidInput
from platform_core.notifications.models import Notification
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def give(user: User, key: str) -> User:
    app_label, codename = key.split(".")
    user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def moderator(db: None) -> User:
    return give(StaffFactory.create(), "accounts.add_userrestriction")


def test_usr_1_every_user_has_every_basic_permission():
    states = basic_permissions_for(user=CustomerFactory.create())
    assert [s.key for s in states] == [
        "browse", "search", "review", "comment", "like", "favourite", "follow"
    ]  # fmt: skip
    assert all(s.active and s.restriction is None for s in states)


def test_usr_1_restriction_needs_a_reason(moderator):
    customer = CustomerFactory.create()
    with pytest.raises(InvalidInput, match="penalty with a reason"):
        user_restriction_impose(user=customer, permission="review", reason="  ", actor=moderator)
    assert user_may(user=customer, permission="review")


def test_usr_1_penalty_restricts_for_its_time_with_reason_shown(moderator, time_machine):
    customer = CustomerFactory.create()
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    user_restriction_impose(
        user=customer,
        permission=BasicPermission.REVIEW,
        reason="fake reviews for a friend's shop",
        ends_at=now + timedelta(days=30),
        actor=moderator,
    )
    assert not user_may(user=customer, permission="review") and user_may(user=customer, permission="like")
    note = Notification.objects.get(recipient=customer, event="account.permission_restricted")
    assert "fake reviews" in note.body
    body = client_for(customer).get("/api/v1/me/permissions/").json()
    review = next(p for p in body["basic"] if p["key"] == "review")
    assert review["state"] == "restricted" and review["reason"] == "fake reviews for a friend's shop"
    assert next(p for p in body["basic"] if p["key"] == "like")["state"] == "active"
    time_machine.move_to(now + timedelta(days=30, seconds=1), tick=False)
    assert user_may(user=customer, permission="review")  # the penalty ended by itself


def test_usr_1_only_authorised_staff_restrict_and_lift(moderator):
    customer = CustomerFactory.create()
    with pytest.raises(Forbidden):
        user_restriction_impose(
            user=customer, permission="follow", reason="spam", actor=StaffFactory.create()
        )
    restriction = user_restriction_impose(user=customer, permission="follow", reason="spam", actor=moderator)
    user_restriction_lift(restriction=restriction, reason="appeal upheld", actor=moderator)
    assert user_may(user=customer, permission="follow")
    with pytest.raises(Conflict):
        user_restriction_lift(restriction=restriction, reason="again", actor=moderator)


def test_usr_1_privacy_defaults_visible_and_editable():
    customer = CustomerFactory.create()
    assert privacy_settings_for(user=customer).pk is None  # defaults until changed, nothing written
    client = client_for(customer)
    assert client.get("/api/v1/me/privacy/").json() == PrivacySettings.DEFAULTS
    changed = client.patch("/api/v1/me/privacy/", {"personalised_recommendations": False}, format="json")
    assert changed.status_code == 200 and changed.json()["personalised_recommendations"] is False
    overview = client.get("/api/v1/me/permissions/").json()
    assert overview["privacy"]["personalised_recommendations"] is False


def test_usr_2_privacy_beyond_defaults_needs_the_advanced_permission():
    customer = CustomerFactory.create()
    refused = client_for(customer).patch("/api/v1/me/privacy/", {"allow_follow": False}, format="json")
    assert refused.status_code == 403 and "allow_follow" in refused.json()["errors"]
    assert privacy_settings_for(user=customer).allow_follow is True
    holder = give(customer, "staff.user_privacy_beyond_defaults")
    assert (
        privacy_settings_update(user=holder, changes={"allow_follow": False}, actor=holder).allow_follow
        is False
    )


def test_usr_1_others_cannot_change_my_privacy():
    customer = CustomerFactory.create()
    with pytest.raises(Forbidden):
        privacy_settings_update(
            user=customer, changes={"show_purchase_history": True}, actor=CustomerFactory.create()
        )
