"""SEC-1: every API route that names an object answers only to those allowed to see that object.

The matrix is generated from the URL configuration: each ``/api/v1/`` route with a path parameter must
be registered below with a builder that creates the object and returns the user who may use it. Every
method the view implements is then called by the owner (a positive control: never 401/403/404) and by
four wrong actors — another customer, another merchant, staff without the permission, anonymous —
who must get 404 (or 401/403; anonymous 401/403) and never the object's data. A new route that is not
registered fails ``test_sec_1_every_object_route_is_in_the_matrix``.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from tests.factories.accounts import CustomerFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

Built = tuple[dict[str, Any], User, str]  # url kwargs, the owner, a marker string found in the object's data


@dataclass(frozen=True)
class ObjectRoute:
    build: Callable[[], Built]


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def object_routes() -> dict[str, URLPattern]:
    return {
        p.name: p
        for route, p in _walk(get_resolver().url_patterns)
        if route.startswith("api/v1/") and "<" in route and p.name
    }


# --- builders: one per object route ------------------------------------------------------------------


def _notification() -> Built:
    from tests.factories.notifications import NotificationFactory

    n = NotificationFactory.create(title="matrix-notification")
    return {"notification_id": n.pk}, n.recipient, "matrix-notification"


def _merchant() -> Any:
    from tests.factories.merchants import MerchantFactory

    return MerchantFactory(name="matrix-shop")


def _application() -> Built:
    from tests.factories.merchants import MerchantApplicationFactory

    app = MerchantApplicationFactory.create(shop_name="matrix-application")
    return {"application_id": app.pk}, app.applicant, "matrix-application"


def _document() -> Built:
    from tests.factories.merchants import QualificationDocumentFactory

    merchant = _merchant()
    doc = QualificationDocumentFactory.create(merchant=merchant, number="MATRIX-DOC")
    return {"document_id": doc.pk}, merchant.owner, "MATRIX-DOC"


def _violation() -> Built:
    from merchants.services import violation_record

    merchant = _merchant()
    v = violation_record(
        merchant=merchant, kind="late_shipment", evidence={"note": "matrix"}, source="system"
    )
    return {"violation_id": v.pk}, merchant.owner, "matrix"


def _reverification() -> Built:
    from merchants.services import reverification_open

    merchant = _merchant()
    r = reverification_open(merchant=merchant)
    assert r is not None
    return {"reverification_id": r.pk}, merchant.owner, "matrix-shop"


def _member() -> Built:
    from merchants.models import MerchantMember

    merchant = _merchant()
    member_user: User = UserFactory.create(name="matrix-member")
    member = MerchantMember.objects.create(
        merchant=merchant, user=member_user, role=MerchantMember.Role.OPERATIONS
    )
    return {"member_id": member.pk}, merchant.owner, "matrix-member"


def _listing() -> Any:
    from tests.factories.catalog import CategoryFactory, draft_listing, merchant_for

    merchant = merchant_for(CategoryFactory())
    return draft_listing(merchant=merchant, title="matrix-listing 保温杯")


def _merchant_listing() -> Built:
    listing = _listing()
    return {"listing_id": listing.pk}, listing.merchant.owner, "matrix-listing"


def _sku() -> Built:
    listing = _listing()
    return {"sku_id": listing.skus.first().pk}, listing.merchant.owner, "matrix-listing"


def _ip_notice() -> Any:
    from django.contrib.auth.models import Permission

    from catalog.services import ip_notice_file, ip_notice_validate
    from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for, reviewer

    listing = approved_listing(merchant=merchant_for(CategoryFactory()), title="matrix-listing 保温杯")
    holder = CustomerFactory()
    notice = ip_notice_file(
        listing_id=listing.pk,
        rights_holder=holder,
        right_kind="trademark",
        right_reference="TM-MATRIX",
        description="matrix-notice",
        proof=[{"url": "https://example.com/tm"}],
    )
    staff = reviewer()
    staff.user_permissions.add(Permission.objects.get(codename="takedown_listing"))
    notice = ip_notice_validate(notice_id=notice.pk, actor=User.objects.get(pk=staff.pk))
    return notice, listing, holder


def _ip_counter_notice() -> Built:
    notice, listing, _ = _ip_notice()
    return {"notice_id": notice.pk}, listing.merchant.owner, "matrix-notice"


def _ip_action_proof() -> Built:
    notice, _, holder = _ip_notice()
    return {"notice_id": notice.pk}, holder, "matrix-notice"


def _staff_application_for(*, as_reviewer: bool) -> Built:
    from django.contrib.auth.models import Permission

    from staff.services import permission_application_submit, permission_resolve
    from tests.factories.staff import staff_member

    applicant = staff_member()
    app = permission_application_submit(
        applicant=applicant,
        permission=permission_resolve("staff.publish_announcement"),
        justification="matrix-justification",
        actor=applicant,
    )
    if not as_reviewer:
        return {"application_id": app.pk}, applicant, "matrix-justification"
    reviewer = staff_member()
    reviewer.user_permissions.add(Permission.objects.get(codename="review_permission_application"))
    return {"application_id": app.pk}, User.objects.get(pk=reviewer.pk), "matrix-justification"


def _staff_application() -> Built:
    return _staff_application_for(as_reviewer=False)


def _staff_application_to_review() -> Built:
    return _staff_application_for(as_reviewer=True)


REGISTRY: dict[str, ObjectRoute] = {
    "notifications-read": ObjectRoute(_notification),
    "merchant-violation-appeal": ObjectRoute(_violation),
    "merchant-application-detail": ObjectRoute(_application),
    "merchant-application-submit": ObjectRoute(_application),
    "merchant-application-documents": ObjectRoute(_application),
    "merchant-document-file": ObjectRoute(_document),
    "merchant-reverification-submit": ObjectRoute(_reverification),
    "merchant-member-remove": ObjectRoute(_member),
    "merchant-listing": ObjectRoute(_merchant_listing),
    "merchant-listing-submit": ObjectRoute(_merchant_listing),
    "merchant-listing-delist": ObjectRoute(_merchant_listing),
    "merchant-sku": ObjectRoute(_sku),
    "merchant-ip-counter-notice": ObjectRoute(_ip_counter_notice),
    "ip-notice-action-proof": ObjectRoute(_ip_action_proof),
    "staff-permission-application": ObjectRoute(_staff_application),
    "staff-permission-application-approve": ObjectRoute(_staff_application_to_review),
    "staff-permission-application-reject": ObjectRoute(_staff_application_to_review),
    "staff-permission-application-withdraw": ObjectRoute(_staff_application),
}

# Routes whose object is public by design (no owner), with the reason.
PUBLIC: dict[str, str] = {
    "merchant-public-profile": "MER-9: a trading merchant's profile is public",
    "listings-detail": "CAT-8: an approved listing is public",
    "merchant-agreement-accept": "the platform agreement is one document every merchant accepts",
}


def test_sec_1_every_object_route_is_in_the_matrix() -> None:
    missing = sorted(set(object_routes()) - set(REGISTRY) - set(PUBLIC))
    assert not missing, (
        "These API routes name an object but are not in the SEC-1 matrix; add a builder to REGISTRY "
        f"in tests/security/test_authorisation_matrix.py (or to PUBLIC with a reason): {missing}"
    )


def _methods(pattern: URLPattern) -> list[str]:
    view = getattr(pattern.callback, "view_class", None)
    assert view is not None, f"{pattern.name} is not a class-based API view"
    return [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)]


def _wrong_actors() -> dict[str, User | None]:
    from tests.factories.merchants import MerchantFactory

    another_merchant: User = MerchantFactory.create().owner
    return {
        "another customer": CustomerFactory.create(),
        "another merchant": another_merchant,
        "staff without the permission": StaffFactory.create(role=Role.STAFF_CUSTOMER_SERVICE),
        "anonymous": None,
    }


def _call(user: User | None, method: str, url: str) -> Any:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return getattr(client, method)(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=f"matrix-{method}")


@pytest.mark.parametrize("route_name", sorted(REGISTRY))
def test_sec_1_wrong_actors_get_nothing(route_name: str) -> None:
    pattern = object_routes()[route_name]
    for method in _methods(pattern):
        kwargs, owner, marker = REGISTRY[route_name].build()
        url = reverse(route_name, kwargs=kwargs)
        for label, actor in _wrong_actors().items():
            response = _call(actor, method, url)
            allowed = {401, 403} if actor is None else {403, 404}
            assert response.status_code in allowed, (
                f"{method.upper()} {url} as {label}: {response.status_code} {response.content[:300]!r}"
            )
            assert marker.encode() not in response.content, f"{method.upper()} {url} leaked data to {label}"
        owner_response = _call(owner, method, url)
        assert owner_response.status_code not in {401, 403, 404}, (
            f"positive control: the owner got {owner_response.status_code} on {method.upper()} {url}: "
            f"{owner_response.content[:300]!r}"
        )
