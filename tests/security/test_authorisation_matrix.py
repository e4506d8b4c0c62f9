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
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
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
    from merchants.services.violations import violation_record

    merchant = _merchant()
    v = violation_record(
        merchant=merchant, kind="late_shipment", evidence={"note": "matrix"}, source="system"
    )
    return {"violation_id": v.pk}, merchant.owner, "matrix"


def _reverification() -> Built:
    from merchants.services.reverification import reverification_open

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


def _invitation() -> Built:
    """SEC (issue 20): a shop's invitation; its owner (for the answer routes) is the invited user."""
    from merchants.services.members import merchant_member_invite

    merchant = _merchant()
    invitee: User = UserFactory.create(name="matrix-invitee")
    invitation = merchant_member_invite(
        merchant=merchant, login=invitee.phone, role="finance", actor=merchant.owner
    )
    return {"invitation_id": invitation.pk}, invitee, "matrix-shop"


def _invitation_for_owner() -> Built:
    kwargs, _invitee, _marker = _invitation()
    from merchants.models import StaffInvitation

    invitation = StaffInvitation.objects.select_related("merchant__owner").get(pk=kwargs["invitation_id"])
    return kwargs, invitation.merchant.owner, "matrix-invitee"


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

    from catalog.services.ip_notices import ip_notice_file, ip_notice_validate
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
    notice = ip_notice_validate(notice=notice, actor=User.objects.get(pk=staff.pk))
    return notice, listing, holder


def _ip_counter_notice() -> Built:
    notice, listing, _ = _ip_notice()
    return {"notice_id": notice.pk}, listing.merchant.owner, "matrix-notice"


def _ip_action_proof() -> Built:
    notice, _, holder = _ip_notice()
    return {"notice_id": notice.pk}, holder, "matrix-notice"


def _staff_application_for(*, as_reviewer: bool) -> Built:
    from django.contrib.auth.models import Permission

    from staff.services._common import permission_resolve
    from staff.services.applications import permission_application_submit
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


# --- /me/: a customer's own permission applications and grants (USR-2, USR-3) ---------------------------


def _user_application() -> Built:
    from staff.services._common import permission_resolve
    from staff.services.applications import permission_application_submit
    from tests.factories.staff import identity

    customer = CustomerFactory.create()
    app = permission_application_submit(
        applicant=customer,
        permission=permission_resolve("staff.user_jury"),
        justification="matrix-jury",
        actor=customer,
        **identity(),
    )
    return {"application_id": app.pk}, customer, "matrix-jury"


def _user_grant() -> Built:
    from staff.services._common import permission_resolve
    from staff.services.grants import permission_grant

    customer = CustomerFactory.create()
    grant = permission_grant(
        user=customer, permission=permission_resolve("staff.user_jury"), reason="matrix-grant", actor=None
    )
    return {"grant_id": grant.pk}, customer, "matrix-grant"


# --- reports: exports belong to who asked for them (AUD-2, AUD-3) ----------------------------------------


def _auditor() -> User:
    auditor: User = UserFactory.create(role=Role.AUDITOR, is_staff=True)
    return auditor


def _report_export_route() -> Built:
    from platform_core.audit.services import audit_record

    audit_record(actor=None, action="matrix.recorded", reason="matrix-audit")
    return {"code": "audit_log"}, _auditor(), "matrix-audit"


def _export() -> Built:
    from platform_core.audit.services import audit_record
    from platform_core.reports.registry import ReportFilters
    from platform_core.reports.services import export_start

    audit_record(actor=None, action="matrix.recorded", reason="matrix-audit")
    auditor = _auditor()
    export = export_start(code="audit_log", filters=ReportFilters(), fmt="xlsx", actor=auditor, is_async=True)
    return {"export_id": export.pk}, auditor, "matrix-audit"


def _monthly_report() -> Built:
    from datetime import date

    from platform_core.reports.services import monthly_report_generate

    report = monthly_report_generate(month=date(2026, 10, 1))
    return {"report_id": report.pk}, _auditor(), "matrix-never-in-a-pdf"


# --- orders: the customer's own orders, the merchant's own orders (ORD, PAY) -----------------------------


def _customer_order() -> Built:
    from tests.factories.orders import paid_order

    order = paid_order()
    return {"order_id": order.pk}, order.customer, order.number


def _merchant_order() -> Built:
    from tests.factories.orders import paid_order

    order = paid_order()
    return {"order_id": order.pk}, order.merchant.owner, order.number


def _delivery_case() -> Any:
    """ORD-10: a shipped order whose parcel stalled, so a delivery case is open."""
    from orders.services.delivery import order_delivery_stalled
    from tests.factories.orders import shipped_order

    case = order_delivery_stalled(order=shipped_order())
    assert case is not None
    return case


def _customer_delivery_case() -> Built:
    case = _delivery_case()
    return {"order_id": case.order_id}, case.order.customer, case.order.number


def _merchant_delivery_case() -> Built:
    case = _delivery_case()
    return {"case_id": case.pk}, case.order.merchant.owner, case.order.number


def _deposit_payment() -> Built:
    from orders.services.payments import deposit_pay_start
    from tests.factories.catalog import CategoryFactory
    from tests.factories.merchants import MerchantFactory

    category = CategoryFactory.create(name="matrix-deposit-category", deposit_amount=Decimal("100.00"))
    merchant = MerchantFactory.create(categories=[category])
    payment = deposit_pay_start(
        merchant=merchant, category_id=category.pk, provider="sandbox", actor=merchant.owner
    )
    return {"out_trade_no": payment.out_trade_no}, merchant.owner, "matrix-deposit-category"


def _statement() -> Built:
    from orders.models import PayoutStatement

    merchant = _merchant()
    statement = PayoutStatement.objects.create(
        merchant=merchant,
        period=date_today(),
        lines=[
            {
                "transaction": 1,
                "kind": "release",
                "at": "2026-11-01",
                "order": "matrix-statement",
                "gross": "10.00",
                "commission": "0.50",
                "amount": "9.50",
            }
        ],
    )
    return {"statement_id": statement.pk}, merchant.owner, "matrix-statement"


def date_today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


def _review(*, for_merchant: bool) -> Built:
    from tests.factories.orders import completed_order, review_for

    order = completed_order()
    review = review_for(order, text="matrix-review")
    if for_merchant:
        return {"review_id": review.pk}, order.merchant.owner, "matrix-review"
    return {"order_id": order.pk, "line_id": review.order_line_id}, order.customer, "matrix-review"


def _customer_review() -> Built:
    return _review(for_merchant=False)


def _merchant_review() -> Built:
    return _review(for_merchant=True)


# --- after-sales and complaints (AFS, CMP) ---------------------------------------------------------------


def _request(*, for_merchant: bool) -> Built:
    from tests.factories.aftersales import completed_order, open_request

    order = completed_order()
    request = open_request(order, reason="matrix-request")
    owner = order.merchant.owner if for_merchant else order.customer
    return {"request_id": request.pk}, owner, "matrix-request"


def _customer_request() -> Built:
    return _request(for_merchant=False)


def _merchant_request() -> Built:
    return _request(for_merchant=True)


def _evidence() -> Built:
    from aftersales.models import Evidence
    from tests.factories.aftersales import completed_order, open_request

    order = completed_order()
    request = open_request(order, reason="matrix-request")
    evidence = Evidence.objects.create(
        request=request,
        file=SimpleUploadedFile("e.png", PNG),
        content_type="image/png",
        size=len(PNG),
        uploaded_by=order.customer,
    )
    return {"evidence_id": evidence.pk}, order.customer, "matrix-request"


def _complaint(*, for_service: bool) -> Built:
    from tests.factories.aftersales import completed_order, file_complaint

    order = completed_order()
    complaint = file_complaint(complainant=order.customer, order=order, description="matrix-complaint")
    if not for_service:
        return {"complaint_id": complaint.pk}, order.customer, "matrix-complaint"
    agent: User = StaffFactory.create(role=Role.STAFF_CUSTOMER_SERVICE)
    return {"complaint_id": complaint.pk}, agent, "matrix-complaint"


def _customer_complaint() -> Built:
    return _complaint(for_service=False)


def _service_complaint() -> Built:
    return _complaint(for_service=True)


def _merchant_complaint() -> Built:
    """A customer's complaint about an order of the shop: the shop's members see it in the dashboard."""
    from tests.factories.aftersales import completed_order, file_complaint

    order = completed_order()
    complaint = file_complaint(complainant=order.customer, order=order, description="matrix-complaint")
    return {"complaint_id": complaint.pk}, order.merchant.owner, "matrix-complaint"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- conversations (MSG-1) -------------------------------------------------------------------------------


def _conversation(*, for_merchant: bool) -> Built:
    from aftersales.services.conversations import conversation_start
    from tests.factories.catalog import CategoryFactory, approved_listing, merchant_for

    listing = approved_listing(merchant=merchant_for(CategoryFactory()), title="matrix-listing 保温杯")
    customer = CustomerFactory.create()
    conversation = conversation_start(
        customer=customer, kind="presale", text="matrix-conversation", listing_id=listing.pk, actor=customer
    )
    owner = listing.merchant.owner if for_merchant else customer
    return {"conversation_id": conversation.pk}, owner, "matrix-conversation"


def _customer_conversation() -> Built:
    return _conversation(for_merchant=False)


def _merchant_conversation() -> Built:
    return _conversation(for_merchant=True)


def _conversation_image() -> Built:
    from aftersales.models import MessageImage

    kwargs, customer, marker = _customer_conversation()
    from aftersales.models import Message

    message = Message.objects.filter(conversation_id=kwargs["conversation_id"]).first()
    assert message is not None
    image = MessageImage.objects.create(
        message=message, file=SimpleUploadedFile("m.png", PNG), content_type="image/png", size=len(PNG)
    )
    return {"image_id": image.pk}, customer, marker


# --- disputes (DSP) --------------------------------------------------------------------------------------


def _dispute() -> Any:
    from tests.factories.disputes import dispute_from_refusal

    return dispute_from_refusal()


def _customer_dispute() -> Built:
    dispute = _dispute()
    return {"dispute_id": dispute.pk}, dispute.order.customer, dispute.order.number


def _merchant_dispute() -> Built:
    dispute = _dispute()
    return {"dispute_id": dispute.pk}, dispute.order.merchant.owner, dispute.order.number


def _proposal(*, for_merchant: bool) -> Built:
    from disputes.models import MediationProposal
    from tests.factories.disputes import mediator

    dispute = _dispute()
    proposal = MediationProposal.objects.create(
        dispute=dispute,
        proposed_by=mediator(),
        refund_amount=dispute.claim_amount or 0,
        note="matrix-proposal",
    )
    owner = dispute.order.merchant.owner if for_merchant else dispute.order.customer
    return {"dispute_id": dispute.pk, "proposal_id": proposal.pk}, owner, "matrix-proposal"


def _customer_proposal() -> Built:
    return _proposal(for_merchant=False)


def _merchant_proposal() -> Built:
    return _proposal(for_merchant=True)


def _dispute_file() -> Built:
    from disputes.models import DisputeEvidence, DisputeEvidenceFile

    dispute = _dispute()
    evidence = DisputeEvidence.objects.create(
        dispute=dispute, party="customer", submitted_by=dispute.order.customer, statement="matrix-evidence"
    )
    file = DisputeEvidenceFile.objects.create(
        evidence=evidence, file=SimpleUploadedFile("d.png", PNG), content_type="image/png", size=len(PNG)
    )
    return {"file_id": file.pk}, dispute.order.customer, "matrix-evidence"


# --- the public jury (DSP-6) ---------------------------------------------------------------------------


def _jury_case() -> Built:
    from disputes.services.evidence import dispute_evidence_submit
    from jury.models import JuryCase
    from tests.factories.disputes import dispute_in_arbitration
    from tests.factories.jury import consented_dispute, juror_pool

    juror_pool(13)
    dispute = consented_dispute()
    dispute_evidence_submit(dispute=dispute, statement="matrix-jury-statement", actor=dispute.order.customer)
    case = JuryCase.objects.get(dispute=dispute_in_arbitration(dispute))
    seat = case.jurors.order_by("pk").first()
    assert seat is not None, case.outcome_note
    return {"case_id": case.pk}, seat.user, "matrix-jury-statement"


# --- field work: the coordinator's own assignments, the customer's own service order (ORD-9) -------------


def _assignment() -> Any:
    from fieldwork.models import ServiceAssignment
    from tests.factories.fieldwork import coordinator, paid_service_order

    coordinator()
    return ServiceAssignment.objects.select_related("order", "coordinator__user").get(
        order=paid_service_order()
    )


def _coordinator_assignment() -> Built:
    assignment = _assignment()
    return {"assignment_id": assignment.pk}, assignment.coordinator.user, assignment.order.number


def _customer_service_order() -> Built:
    assignment = _assignment()
    return {"order_id": assignment.order_id}, assignment.order.customer, assignment.order.number


REGISTRY: dict[str, ObjectRoute] = {
    "notifications-read": ObjectRoute(_notification),
    "merchant-violation-appeal": ObjectRoute(_violation),
    "merchant-application-detail": ObjectRoute(_application),
    "merchant-application-submit": ObjectRoute(_application),
    "merchant-application-documents": ObjectRoute(_application),
    "merchant-document-file": ObjectRoute(_document),
    "merchant-reverification-submit": ObjectRoute(_reverification),
    "merchant-member-remove": ObjectRoute(_member),
    "my-merchant-invitation-accept": ObjectRoute(_invitation),
    "my-merchant-invitation-decline": ObjectRoute(_invitation),
    "merchant-listing": ObjectRoute(_merchant_listing),
    "merchant-listing-submit": ObjectRoute(_merchant_listing),
    "merchant-listing-delist": ObjectRoute(_merchant_listing),
    "merchant-listing-confirm-stock": ObjectRoute(_merchant_listing),
    "merchant-sku": ObjectRoute(_sku),
    "merchant-ip-counter-notice": ObjectRoute(_ip_counter_notice),
    "ip-notice-action-proof": ObjectRoute(_ip_action_proof),
    "staff-permission-application": ObjectRoute(_staff_application),
    "staff-permission-application-approve": ObjectRoute(_staff_application_to_review),
    "staff-permission-application-reject": ObjectRoute(_staff_application_to_review),
    "staff-permission-application-withdraw": ObjectRoute(_staff_application),
    "me-permission-application": ObjectRoute(_user_application),
    "me-permission-application-withdraw": ObjectRoute(_user_application),
    "me-permission-grant-give-up": ObjectRoute(_user_grant),
    "reports-export": ObjectRoute(_report_export_route),
    "reports-export-status": ObjectRoute(_export),
    "reports-export-download": ObjectRoute(_export),
    "reports-monthly-download": ObjectRoute(_monthly_report),
    "orders-detail": ObjectRoute(_customer_order),
    "orders-contract": ObjectRoute(_customer_order),
    "orders-tracking": ObjectRoute(_customer_order),
    "orders-pay": ObjectRoute(_customer_order),
    "orders-cancel": ObjectRoute(_customer_order),
    "orders-confirm-receipt": ObjectRoute(_customer_order),
    "orders-extend-confirmation": ObjectRoute(_customer_order),
    "merchant-order-ship": ObjectRoute(_merchant_order),
    "orders-delivery-case": ObjectRoute(_customer_delivery_case),
    "orders-delivery-case-refund": ObjectRoute(_customer_delivery_case),
    "merchant-delivery-case-reship": ObjectRoute(_merchant_delivery_case),
    "merchant-delivery-case-agree-refund": ObjectRoute(_merchant_delivery_case),
    "merchant-order-cancel": ObjectRoute(_merchant_order),
    "merchant-statement-csv": ObjectRoute(_statement),
    # MSG-1 (decision 044): the API's quick reply (its builder is the dashboard's, defined below)
    "merchant-quick-reply": ObjectRoute(lambda: _merchant_quick_reply()),
    "orders-line-review": ObjectRoute(_customer_review),
    "orders-line-review-follow-up": ObjectRoute(_customer_review),
    "merchant-review-reply": ObjectRoute(_merchant_review),
    "aftersales-request": ObjectRoute(_customer_request),
    "aftersales-withdraw": ObjectRoute(_customer_request),
    "aftersales-ship-return": ObjectRoute(_customer_request),
    "aftersales-escalate": ObjectRoute(_customer_request),
    "aftersales-close": ObjectRoute(_customer_request),
    "aftersales-evidence": ObjectRoute(_evidence),
    "merchant-aftersales-request": ObjectRoute(_merchant_request),
    "merchant-aftersales-approve": ObjectRoute(_merchant_request),
    "merchant-aftersales-refuse": ObjectRoute(_merchant_request),
    "merchant-aftersales-confirm-receipt": ObjectRoute(_merchant_request),
    "merchant-aftersales-refund": ObjectRoute(_merchant_request),
    "merchant-aftersales-reship": ObjectRoute(_merchant_request),
    "complaint": ObjectRoute(_customer_complaint),
    "complaint-close": ObjectRoute(_customer_complaint),
    "customer-service-complaint-acknowledge": ObjectRoute(_service_complaint),
    "customer-service-complaint-answer": ObjectRoute(_service_complaint),
    "conversation": ObjectRoute(_customer_conversation),
    "conversation-messages": ObjectRoute(_customer_conversation),
    "conversation-read": ObjectRoute(_customer_conversation),
    "conversation-close": ObjectRoute(_customer_conversation),
    "conversation-image": ObjectRoute(_conversation_image),
    "merchant-conversation-messages": ObjectRoute(_merchant_conversation),
    "merchant-conversation-read": ObjectRoute(_merchant_conversation),
    "dispute": ObjectRoute(_customer_dispute),
    "dispute-evidence": ObjectRoute(_customer_dispute),
    "dispute-appeal": ObjectRoute(_customer_dispute),
    "dispute-withdraw": ObjectRoute(_customer_dispute),
    "dispute-return-ship": ObjectRoute(_customer_dispute),
    "dispute-proposal-accept": ObjectRoute(_customer_proposal),
    "dispute-proposal-reject": ObjectRoute(_customer_proposal),
    "dispute-evidence-file": ObjectRoute(_dispute_file),
    "merchant-dispute": ObjectRoute(_merchant_dispute),
    "merchant-dispute-evidence": ObjectRoute(_merchant_dispute),
    "merchant-dispute-appeal": ObjectRoute(_merchant_dispute),
    "merchant-dispute-return-receive": ObjectRoute(_merchant_dispute),
    "merchant-dispute-proposal-accept": ObjectRoute(_merchant_proposal),
    "merchant-dispute-proposal-reject": ObjectRoute(_merchant_proposal),
    "dispute-jury-consent": ObjectRoute(_customer_dispute),
    "merchant-dispute-jury-consent": ObjectRoute(_merchant_dispute),
    "jury-case": ObjectRoute(_jury_case),
    "jury-case-vote": ObjectRoute(_jury_case),
    "coordinator-assignment": ObjectRoute(_coordinator_assignment),
    "coordinator-assignment-schedule": ObjectRoute(_coordinator_assignment),
    "coordinator-assignment-start": ObjectRoute(_coordinator_assignment),
    "coordinator-assignment-complete": ObjectRoute(_coordinator_assignment),
    "coordinator-assignment-problem": ObjectRoute(_coordinator_assignment),
    "orders-service": ObjectRoute(_customer_service_order),
}

# Routes whose object is public by design (no owner), with the reason.
PUBLIC: dict[str, str] = {
    "merchant-public-profile": "MER-9: a trading merchant's profile is public",
    "listings-detail": "CAT-8: an approved listing is public",
    "merchant-agreement-accept": "the platform agreement is one document every merchant accepts",
    "cart-item": "the path names a public SKU; the cart is always the caller's own",
    "me-favourite": "the path names a public listing; the favourite removed is always the caller's own",
    "me-follow": "the path names a public shop; the follow removed is always the caller's own",
    "payments-callback": "a provider's signed webhook: the signature, not the caller, is checked (PAY-3)",
    "logistics-callback": "a carrier's signed webhook: the signature, not the caller, is checked (ORD-5)",
    "listings-reviews": "REP-1: a visible listing's reviews are public (hidden ones show only the reason)",
    "review-like": "USR-1: the path names a public review; the like added or removed is always the caller's own",
    "review-photo": "REP-1: a visible review's photo is public; a hidden review's only reaches its author and "
    "moderators (tests/orders/test_reviews.py)",
    "payments-sandbox-pay": "the sandbox provider's cashier page, which stands in for the provider's own site",
    "listing-image": "SEC-4, CAT-2: an image a listing on sale shows is public; otherwise it only reaches the "
    "shop and, under review, the reviewers (tests/catalog/test_listing_images.py)",
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
        "staff without the permission": StaffFactory.create(role=Role.STAFF_MARKETING),
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


# --- the merchant dashboard: the same rule for its server-rendered views ---------------------------------


def _merchant_notification() -> Built:
    """A notification sent to a shop's owner: only that member reads or marks it (SEC-1)."""
    from platform_core.notifications.services import notify
    from tests.factories.merchants import MerchantFactory

    owner = MerchantFactory.create().owner
    (n,) = notify(recipient=owner, event="matrix", title="matrix-notification", body="matrix-notification")
    return {"notification_id": n.pk}, owner, "matrix-notification"


def _merchant_ip_notice() -> Built:
    notice, listing, _holder = _ip_notice()
    return {"notice_id": notice.pk}, listing.merchant.owner, "matrix-notice"


def _merchant_ip_evidence() -> Built:
    """CAT-7, SEC-4: a counter-notice's evidence file, downloaded by the shop that filed it."""
    from catalog.services.ip_notices import ip_notice_counter

    notice, listing, _holder = _ip_notice()
    ip_notice_counter(
        notice=notice,
        merchant=listing.merchant,
        statement="matrix-counter",
        proof=[],
        evidence=[SimpleUploadedFile("licence.png", PNG)],
        actor=listing.merchant.owner,
    )
    return {"notice_id": notice.pk, "file_number": 1}, listing.merchant.owner, "matrix-notice"


def _merchant_order_with_complaint() -> Built:
    """DSP-1: the shop's order with an unresolved complaint, on which the shop may open a dispute."""
    from tests.factories.aftersales import completed_order, file_complaint

    order = completed_order()
    file_complaint(complainant=order.customer, order=order, description="matrix-complaint")
    return {"order_id": order.pk}, order.merchant.owner, order.number


def _merchant_quick_reply() -> Built:
    """MSG-1: one of a shop's quick replies: only the shop's answering members see or change it."""
    from aftersales.models import QuickReply

    merchant = _merchant()
    reply = QuickReply.objects.create(
        merchant=merchant, title="matrix-reply", text="matrix-reply", position=1
    )
    return {"reply_id": reply.pk}, merchant.owner, "matrix-reply"


DASHBOARD: dict[str, ObjectRoute] = {
    "merchant:violation-appeal": ObjectRoute(_violation),
    "merchant:member-remove": ObjectRoute(_member),
    "merchant:invitation-revoke": ObjectRoute(_invitation_for_owner),
    "merchant:listing": ObjectRoute(_merchant_listing),
    "merchant:listing-submit": ObjectRoute(_merchant_listing),
    "merchant:listing-delist": ObjectRoute(_merchant_listing),
    "merchant:sku": ObjectRoute(_sku),
    "merchant:order": ObjectRoute(_merchant_order),
    "merchant:order-ship": ObjectRoute(_merchant_order),
    "merchant:order-cancel": ObjectRoute(_merchant_order),
    "merchant:delivery-case-reship": ObjectRoute(_merchant_delivery_case),
    "merchant:delivery-case-agree-refund": ObjectRoute(_merchant_delivery_case),
    "merchant:packing-slip": ObjectRoute(_merchant_order),
    "merchant:statement-csv": ObjectRoute(_statement),
    "merchant:aftersales-request": ObjectRoute(_merchant_request),
    "merchant:aftersales-approve": ObjectRoute(_merchant_request),
    "merchant:aftersales-refuse": ObjectRoute(_merchant_request),
    "merchant:aftersales-confirm-receipt": ObjectRoute(_merchant_request),
    "merchant:aftersales-refund": ObjectRoute(_merchant_request),
    "merchant:aftersales-reship": ObjectRoute(_merchant_request),
    "merchant:complaint": ObjectRoute(_merchant_complaint),
    "merchant:dispute": ObjectRoute(_merchant_dispute),
    "merchant:dispute-open": ObjectRoute(_merchant_order_with_complaint),
    "merchant:dispute-evidence": ObjectRoute(_merchant_dispute),
    "merchant:dispute-appeal": ObjectRoute(_merchant_dispute),
    "merchant:dispute-return-receive": ObjectRoute(_merchant_dispute),
    "merchant:dispute-jury-consent": ObjectRoute(_merchant_dispute),
    "merchant:dispute-proposal-accept": ObjectRoute(_merchant_proposal),
    "merchant:dispute-proposal-reject": ObjectRoute(_merchant_proposal),
    "merchant:deposit-cashier": ObjectRoute(_deposit_payment),
    "merchant:conversation": ObjectRoute(_merchant_conversation),
    "merchant:conversation-reply": ObjectRoute(_merchant_conversation),
    "merchant:conversation-read": ObjectRoute(_merchant_conversation),
    "merchant:quick-reply": ObjectRoute(_merchant_quick_reply),
    "merchant:quick-reply-delete": ObjectRoute(_merchant_quick_reply),
    "merchant:quick-reply-move": ObjectRoute(_merchant_quick_reply),
    "merchant:review": ObjectRoute(_merchant_review),
    "merchant:review-reply": ObjectRoute(_merchant_review),
    "merchant:review-report": ObjectRoute(_merchant_review),
    "merchant:ip-notice": ObjectRoute(_merchant_ip_notice),
    "merchant:ip-notice-counter": ObjectRoute(_merchant_ip_notice),
    "merchant:ip-notice-evidence": ObjectRoute(_merchant_ip_evidence),
    "merchant:notification-read": ObjectRoute(_merchant_notification),
}


def dashboard_object_routes() -> set[str]:
    return {
        f"merchant:{p.name}"
        for route, p in _walk(get_resolver().url_patterns)
        if route.startswith("merchant/") and "<" in route and p.name
    }


def test_sec_1_every_dashboard_object_route_is_in_the_matrix() -> None:
    missing = sorted(dashboard_object_routes() - set(DASHBOARD))
    assert not missing, f"Dashboard routes naming an object but missing from DASHBOARD: {missing}"


def _browser_call(user: User | None, method: str, url: str) -> Any:
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url)


@pytest.mark.parametrize("route_name", sorted(DASHBOARD))
def test_sec_1_dashboard_wrong_actors_get_nothing(route_name: str) -> None:
    for method in ("get", "post"):
        kwargs, owner, marker = DASHBOARD[route_name].build()
        url = reverse(route_name, kwargs=kwargs)
        for label, actor in _wrong_actors().items():
            response = _browser_call(actor, method, url)
            assert response.status_code in {302, 403, 404, 405}, (
                f"{method.upper()} {url} as {label}: {response.status_code}"
            )
            if response.status_code == 302:
                assert (
                    "/merchant/login" in response["Location"]
                    or "/merchant/onboarding" in response["Location"]
                )
            assert marker.encode() not in response.content, f"{method.upper()} {url} leaked data to {label}"
        owner_response = _browser_call(owner, method, url)
        assert owner_response.status_code not in {403, 404}, (
            f"owner got {owner_response.status_code} on {url}"
        )
        if owner_response.status_code == 302:
            assert "/merchant/login" not in owner_response["Location"], f"owner sent to login from {url}"


# --- staff powers without an object in the path (decision 026: the sandbox clock) -----------------------

#: route name -> (method, body, the permission that grants it); every wrong actor is refused, the holder not
STAFF_POWER_ROUTES: dict[str, tuple[str, dict[str, Any], str]] = {
    "sandbox-clock-advance": ("post", {"hours": 1}, "sandbox.advance_test_clock"),
}


def test_sec_1_every_sandbox_route_is_in_the_matrix() -> None:
    routes = {
        str(p.name) for route, p in _walk(get_resolver().url_patterns) if route.startswith("api/v1/sandbox/")
    }
    missing = sorted(routes - set(STAFF_POWER_ROUTES) - {"sandbox-clock"})  # the clock's time: any user
    assert not missing, f"sandbox routes not in the SEC-1 matrix (STAFF_POWER_ROUTES): {missing}"


@pytest.mark.parametrize("route_name", sorted(STAFF_POWER_ROUTES))
def test_sec_1_staff_power_routes_refuse_wrong_actors(route_name: str, settings) -> None:
    from django.contrib.auth.models import Permission

    settings.PLATFORM_TEST_CLOCK_ENABLED = True
    method, body, permission = STAFF_POWER_ROUTES[route_name]
    url = reverse(route_name)
    for label, actor in _wrong_actors().items():
        client = APIClient()
        if actor is not None:
            client.force_authenticate(actor)
        response = getattr(client, method)(url, body, format="json")
        allowed = {401, 403} if actor is None else {403}
        assert response.status_code in allowed, f"{method.upper()} {url} as {label}: {response.status_code}"
    holder = StaffFactory.create(role=Role.STAFF_OPERATIONS)
    app_label, codename = permission.split(".")
    holder.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=holder.pk))
    response = getattr(client, method)(url, body, format="json")
    assert response.status_code == 200, f"positive control: {response.status_code} {response.content[:300]!r}"
