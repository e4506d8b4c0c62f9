"""Who works for which merchant (catalog and orders call ``merchant_for_member``); the public profile."""

from django.db.models import OuterRef, QuerySet
from django.utils.translation import gettext as _

from merchants.models import Merchant, MerchantMember, StaffInvitation
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.errors import NotFound
from platform_core.notifications.selectors import notification_unread_count_subquery


def merchant_for_member(*, user: User) -> tuple[Merchant, str] | None:
    """The merchant ``user`` works for and their role there (the oldest active membership), or None."""
    if not user.is_authenticated:
        return None
    membership = _memberships(user).first()
    if membership is None:
        return None
    return membership.merchant, membership.role


def _memberships(user: User) -> QuerySet[MerchantMember]:
    return (
        MerchantMember.objects.filter(user=user, is_active=True)
        .exclude(merchant__status__in=[Merchant.Status.CLOSED, Merchant.Status.BANNED])
        .select_related("merchant")
        .order_by("created_at", "pk")
    )


def merchant_for_dashboard_member(*, user: User) -> tuple[Merchant, str, int] | None:
    """``merchant_for_member`` plus how many of the user's in-app notifications are unread, in the same
    query: the seller centre's header badge costs no query of its own (decision 035)."""
    if not user.is_authenticated:
        return None
    membership = (
        _memberships(user).annotate(unread=notification_unread_count_subquery(OuterRef("user"))).first()
    )
    if membership is None:
        return None
    return membership.merchant, membership.role, membership.unread


def member_list_for_merchant(*, merchant: Merchant) -> QuerySet[MerchantMember]:
    return (
        MerchantMember.objects.filter(merchant=merchant).select_related("user").order_by("created_at", "pk")
    )


def merchant_get_public(*, merchant_id: int) -> Merchant:
    """MER-9: a trading merchant's public profile; others are not found."""
    merchant = Merchant.objects.filter(
        pk=merchant_id, status__in=[Merchant.Status.ACTIVE, Merchant.Status.RESTRICTED]
    ).first()
    if merchant is None:
        raise NotFound(_("No such shop."))
    return merchant


def invitation_list_for_user(*, user: User) -> QuerySet[StaffInvitation]:
    """SEC (issue 20): the shops' invitations to ``user`` that wait for an answer and have not expired."""
    return StaffInvitation.objects.filter(
        user=user, status=StaffInvitation.Status.PENDING, expires_at__gt=clock.now()
    ).select_related("merchant")


def invitation_get_for_user(*, user: User, invitation_id: int) -> StaffInvitation:
    """One invitation to ``user`` (any status); another user's is not found (SEC-1)."""
    invitation = (
        StaffInvitation.objects.filter(user=user, pk=invitation_id).select_related("merchant").first()
    )
    if invitation is None:
        raise NotFound(_("No such invitation."))
    return invitation


def invitation_list_for_merchant(*, merchant: Merchant) -> QuerySet[StaffInvitation]:
    """The shop's invitations still waiting for an answer (the owner's members page)."""
    return StaffInvitation.objects.filter(
        merchant=merchant, status=StaffInvitation.Status.PENDING, expires_at__gt=clock.now()
    ).select_related("user")
