"""MER-1, MER-2, MER-3: applications, documents, review, the prior record; SEC-4 upload checks."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_fsm import TransitionNotAllowed
from pytest_django.fixtures import Settings
from time_machine import TimeMachineFixture

from merchants.models import DocumentKind, Merchant, MerchantApplication, MerchantMember
from merchants.services.applications import (
    application_approve,
    application_create,
    application_document_add,
    application_reject,
    application_request_more_info,
    application_submit,
)
from merchants.services.lifecycle import merchant_ban
from merchants.services.violations import violation_record
from platform_core.accounts.models import User
from platform_core.accounts.roles import Role
from platform_core.deadlines.models import Deadline
from platform_core.deadlines.services import deadlines_sweep
from platform_core.errors import Forbidden, InvalidInput
from platform_core.notifications.models import Notification
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.calendar import HolidayFactory
from tests.factories.merchants import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    CategoryFactory,
    MerchantApplicationFactory,
    MerchantFactory,
    PlatformAgreementFactory,
    credit_code,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def reviewer() -> User:
    user = StaffFactory.create(role=Role.STAFF_COMPLIANCE)
    user.user_permissions.add(Permission.objects.get(codename="review_merchantapplication"))
    return User.objects.get(pk=user.pk)  # fresh permission cache


def add_document(application: MerchantApplication, kind: str, **kwargs: object) -> None:
    application_document_add(
        application=application,
        kind=kind,
        number=f"N-{kind}",
        issuer="SAMR",
        valid_from=timezone.localdate() - timedelta(days=10),
        valid_until=kwargs.get("valid_until", timezone.localdate() + timedelta(days=700)),
        file=kwargs.get("file", pdf_upload()),
        actor=application.applicant,
    )


def complete_application(**kwargs: object) -> MerchantApplication:
    application = MerchantApplicationFactory.create(**kwargs)
    add_document(application, DocumentKind.BUSINESS_LICENCE)
    add_document(application, DocumentKind.TAX_REGISTRATION)
    return application


def test_mer_1_invalid_credit_code_rejected_with_clear_message() -> None:
    applicant = UserFactory.create()
    good = credit_code(1)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        application_create(
            applicant=applicant,
            category_ids=[CategoryFactory.create().pk],
            actor=applicant,
            shop_name="店",
            legal_name="公司",
            credit_code=bad,
            legal_representative="张三",
            registered_address="北京",
            contact_phone="13800000000",
            contact_email="a@example.com",
        )
    assert "check digit" in excinfo.value.messages[0]
    assert f"expected {good[17]}" in excinfo.value.messages[0]
    with pytest.raises(ValidationError, match="18 characters"):
        application_create(
            applicant=applicant,
            category_ids=[CategoryFactory.create().pk],
            actor=applicant,
            credit_code="123",
        )
    with pytest.raises(ValidationError, match="cannot contain"):
        application_create(
            applicant=applicant,
            category_ids=[CategoryFactory.create().pk],
            actor=applicant,
            credit_code="91110000I00000000S",
        )


def test_mer_1_known_real_code_passes() -> None:
    from merchants.validators import validate_credit_code

    validate_credit_code("91350100M000100Y43")


def test_mer_1_submission_refused_listing_missing_documents() -> None:
    category = CategoryFactory.create(required_document_kinds=[DocumentKind.FOOD_LICENCE])
    application = MerchantApplicationFactory.create(categories=[category])
    add_document(application, DocumentKind.BUSINESS_LICENCE)
    with pytest.raises(InvalidInput) as excinfo:
        application_submit(application=application, actor=application.applicant)
    assert excinfo.value.errors["documents"] == [DocumentKind.TAX_REGISTRATION, DocumentKind.FOOD_LICENCE]
    add_document(application, DocumentKind.TAX_REGISTRATION)
    add_document(application, DocumentKind.FOOD_LICENCE, valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(InvalidInput, match="food_licence"):
        application_submit(application=application, actor=application.applicant)  # expired does not count
    add_document(application, DocumentKind.FOOD_LICENCE)
    application = application_submit(application=application, actor=application.applicant)
    assert application.status == MerchantApplication.Status.SUBMITTED


def test_mer_2_submission_starts_3_working_day_review_clock_met_on_decision(
    reviewer: User, time_machine: TimeMachineFixture
) -> None:
    # Submitted on a Friday morning before a Tuesday off: 3 working days are Monday, Wednesday, Thursday —
    # not Monday (3 calendar days), nor the next Monday (5 working days).
    HolidayFactory.create(date=date(2030, 1, 8))
    time_machine.move_to(datetime(2030, 1, 4, 10, 0, tzinfo=SHANGHAI), tick=False)
    application = application_submit(application=complete_application(), actor=None)
    deadline = Deadline.objects.get(rule="merchants.application_review", subject_id=str(application.pk))
    assert deadline.status == Deadline.Status.PENDING
    assert application.submitted_at is not None
    assert deadline.due_at == datetime(2030, 1, 10, 10, 0, tzinfo=SHANGHAI)
    application_reject(application=application, reason="blurry licence", actor=reviewer)
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.MET


def test_mer_2_overdue_review_notifies_operations(time_machine: TimeMachineFixture) -> None:
    ops = StaffFactory.create(role=Role.STAFF_OPERATIONS)
    application = application_submit(application=complete_application(), actor=None)
    deadline = Deadline.objects.get(rule="merchants.application_review", subject_id=str(application.pk))
    time_machine.move_to(deadline.due_at + timedelta(minutes=1))
    deadlines_sweep()
    assert (
        Notification.objects.filter(recipient=ops, event="merchant_application_review_overdue").count() == 1
    )


def test_mer_2_overdue_review_goes_to_the_operations_head(time_machine: TimeMachineFixture) -> None:
    from staff.models import Department
    from staff.services.profiles import department_head_set

    head = UserFactory.create(is_staff=True)  # the head need not be in the operations group
    ops = StaffFactory.create(role=Role.STAFF_OPERATIONS)
    department_head_set(
        department=Department.objects.get(code=Department.Code.OPERATIONS), head=head, actor=None
    )
    application = application_submit(application=complete_application(), actor=None)
    deadline = Deadline.objects.get(rule="merchants.application_review", subject_id=str(application.pk))
    time_machine.move_to(deadline.due_at - timedelta(minutes=1))
    deadlines_sweep()
    assert not Notification.objects.filter(recipient=head).exists()  # not before the 3 working days
    time_machine.move_to(deadline.due_at + timedelta(minutes=1))
    deadlines_sweep()
    deadlines_sweep()
    for user in (head, ops):
        assert (
            Notification.objects.filter(recipient=user, event="merchant_application_review_overdue").count()
            == 1
        )


def test_mer_2_only_reviewers_decide(reviewer: User) -> None:
    application = application_submit(application=complete_application(), actor=None)
    for not_reviewer in (StaffFactory.create(), application.applicant):
        with pytest.raises(Forbidden):
            application_approve(application=application, reason="ok", actor=not_reviewer)
    with pytest.raises(InvalidInput):
        application_reject(application=application, reason=" ", actor=reviewer)


def test_mer_2_approval_creates_merchant_with_owner_role_and_records_reviewer(reviewer: User) -> None:
    category = CategoryFactory.create()
    application = complete_application(categories=[category])
    application = application_submit(application=application, actor=application.applicant)
    application = application_approve(application=application, reason="all documents valid", actor=reviewer)
    assert application.status == MerchantApplication.Status.APPROVED
    assert (application.reviewer, application.decision_reason) == (reviewer, "all documents valid")
    merchant = application.merchant
    assert merchant is not None
    assert merchant.status == Merchant.Status.ACTIVE  # no agreement in force yet
    assert merchant.credit_code == application.credit_code
    assert list(merchant.categories.all()) == [category]
    assert merchant.documents.count() == 2
    assert MerchantMember.objects.get(merchant=merchant).role == MerchantMember.Role.OWNER
    assert application.applicant.groups.filter(name=Role.MERCHANT_OWNER).exists()
    assert Deadline.objects.filter(rule="merchants.reverify_due", subject_id=str(merchant.pk)).exists()


def test_mer_4_approved_merchant_waits_for_agreement_acceptance(reviewer: User) -> None:
    PlatformAgreementFactory.create()
    application = application_submit(application=complete_application(), actor=None)
    application = application_approve(application=application, reason="ok", actor=reviewer)
    assert application.merchant is not None
    assert application.merchant.status == Merchant.Status.ONBOARDING


def test_mer_2_needs_more_info_then_resubmit(reviewer: User) -> None:
    application = application_submit(application=complete_application(), actor=None)
    application = application_request_more_info(
        application=application, reason="add tax page 2", actor=reviewer
    )
    assert application.status == MerchantApplication.Status.NEEDS_MORE_INFO
    add_document(application, DocumentKind.TAX_REGISTRATION)
    application = application_submit(application=application, actor=application.applicant)
    assert application.status == MerchantApplication.Status.SUBMITTED
    assert Deadline.objects.filter(
        rule="merchants.application_review", subject_id=str(application.pk), status=Deadline.Status.PENDING
    ).exists()


def test_mer_2_rejected_applicant_may_reapply(reviewer: User) -> None:
    application = application_submit(application=complete_application(), actor=None)
    application_reject(application=application, reason="no", actor=reviewer)
    again = application_create(
        applicant=application.applicant,
        category_ids=[CategoryFactory.create().pk],
        actor=application.applicant,
        shop_name="再来",
        legal_name=application.legal_name,
        credit_code=application.credit_code,
        legal_representative="张三",
        registered_address="北京",
        contact_phone="13800000000",
        contact_email="b@example.com",
    )
    assert again.status == MerchantApplication.Status.DRAFT


def test_mer_2_decided_application_is_final(reviewer: User) -> None:
    application = application_submit(application=complete_application(), actor=None)
    application_reject(application=application, reason="no", actor=reviewer)
    with pytest.raises(TransitionNotAllowed):
        application_approve(application=application, reason="changed my mind", actor=reviewer)


def test_mer_3_prior_record_shown_to_reviewer() -> None:
    earlier = MerchantFactory.create(credit_code=credit_code(42), status=Merchant.Status.CLOSED)
    violation_record(merchant=earlier, kind="late_shipment", evidence={}, source="system")
    application = application_submit(
        application=complete_application(credit_code=credit_code(42)), actor=None
    )
    assert application.status == MerchantApplication.Status.SUBMITTED
    [account] = application.prior_record["accounts"]
    assert (account["merchant_id"], account["status"], account["violations"]) == (earlier.pk, "closed", 1)


def test_mer_3_banned_predecessor_auto_refused() -> None:
    earlier = MerchantFactory.create(credit_code=credit_code(77))
    violation_record(merchant=earlier, kind="prohibited_item", evidence={"listing": 1}, source="inspection")
    merchant_ban(merchant=earlier, reason="prohibited items", actor=StaffFactory.create())
    application = complete_application(credit_code=credit_code(77))
    application = application_submit(application=application, actor=application.applicant)
    assert application.status == MerchantApplication.Status.REJECTED
    assert application.reviewer is None
    assert "banned" in application.decision_reason and "prohibited items" in application.decision_reason
    assert application.prior_record["accounts"][0]["serious_violations"] == ["prohibited_item"]
    assert not Deadline.objects.filter(
        rule="merchants.application_review", subject_id=str(application.pk)
    ).exists()
    assert Notification.objects.filter(
        recipient=application.applicant, event="merchant_application_refused"
    ).exists()


# --- SEC-4 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF_BYTES, "application/pdf"), (JPEG_BYTES, "image/jpeg"), (PNG_BYTES, "image/png")],
)
def test_sec_4_upload_accepts_pdf_jpeg_png_by_content(content: bytes, expected: str) -> None:
    application = MerchantApplicationFactory.create()
    add_document(application, DocumentKind.BUSINESS_LICENCE, file=SimpleUploadedFile("x.bin", content))
    document = application.documents.get()
    assert document.content_type == expected
    assert "x.bin" not in document.file.name  # random name
    assert document.file.name.startswith("merchants/documents/")


def test_sec_4_upload_refuses_disguised_file() -> None:
    application = MerchantApplicationFactory.create()
    html = SimpleUploadedFile(
        "licence.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    with pytest.raises(InvalidInput) as excinfo:
        add_document(application, DocumentKind.BUSINESS_LICENCE, file=html)
    assert excinfo.value.code == "file_type_not_allowed"
    assert not application.documents.exists()


def test_sec_4_upload_size_capped(settings: Settings) -> None:
    settings.MERCHANT_UPLOAD_MAX_BYTES = 100
    application = MerchantApplicationFactory.create()
    with pytest.raises(InvalidInput) as excinfo:
        add_document(
            application, DocumentKind.BUSINESS_LICENCE, file=pdf_upload(content=PDF_BYTES + b"0" * 200)
        )
    assert excinfo.value.code == "file_too_large"


def test_sec_4_upload_stored_under_media_root(settings: Settings) -> None:
    application = MerchantApplicationFactory.create()
    add_document(application, DocumentKind.BUSINESS_LICENCE)
    path = application.documents.get().file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
