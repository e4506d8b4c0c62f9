"""Public jury arrangement (DSP-6): customers holding the jury permission directly (as a USR-2 grant
leaves it), and small disputes both parties sent to a jury."""

from itertools import count
from typing import cast

from django.contrib.auth.models import Permission

from disputes.models import Dispute, Party
from jury.services import jury_consent_give
from platform_core.accounts.models import User
from tests.factories.accounts import CustomerFactory
from tests.factories.disputes import staff_dispute

_phones = count(1)

__all__ = ["consented_dispute", "juror_candidate", "juror_pool"]


def juror_candidate(**kwargs: object) -> User:
    """A customer holding ``staff.user_jury`` (phones from a range no order factory uses)."""
    kwargs.setdefault("phone", f"137{next(_phones):08d}")
    user = cast(User, CustomerFactory(**kwargs))
    user.user_permissions.add(Permission.objects.get(codename="user_jury", content_type__app_label="staff"))
    return User.objects.get(pk=user.pk)


def juror_pool(n: int = 13) -> list[User]:
    return [juror_candidate() for _ in range(n)]


def consented_dispute(
    *, price: str = "200.00", parties: tuple[str, ...] = (Party.CUSTOMER, Party.MERCHANT)
) -> Dispute:
    """A staff-opened case in evidence whose parties consented to a jury."""
    dispute = staff_dispute(prices=(price,))
    actors: dict[str, User] = {
        Party.CUSTOMER: dispute.order.customer,
        Party.MERCHANT: dispute.order.merchant.owner,
    }
    for party in parties:
        jury_consent_give(dispute=dispute, party=party, actor=actors[party])
    return dispute
