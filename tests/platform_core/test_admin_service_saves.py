"""Issue 21: no admin save bypasses a service. Each record staff keep in the admin is created, changed (and
where allowed deleted) through its service, over HTTP as staff signed in with the second factor; the test
checks the effect and the audit row. The last test walks the admin's registry so that a new admin cannot
save directly without anyone noticing."""

from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone
from knox.models import AuthToken

from aftersales.models import CannedResponse
from catalog.models import BannedTerm
from catalog.selectors import banned_terms_active
from disputes.models import RulingKind, RulingTemplate
from fieldwork.models import FieldCoordinator
from platform_core.accounts.models import User
from platform_core.accounts.services import user_token_issue
from platform_core.admin_site import ServiceAdmin
from platform_core.audit.models import AuditEntry
from platform_core.calendar.models import Holiday
from platform_core.calendar.services import add_working_days
from staff.models import Department, SharedCredential, StaffProfile, TrainingCourse
from staff.services.training import training_session_schedule
from tests.factories.accounts import DEFAULT_PASSWORD, CustomerFactory, StaffFactory, UserFactory
from tests.factories.staff import department, staff_member
from tests.helpers.admin_otp import otp_admin_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor(settings: Any) -> None:
    settings.STAFF_REQUIRE_OTP = True  # as in production


@pytest.fixture
def boss() -> User:
    user: User = UserFactory.create(is_staff=True, is_superuser=True)
    return user


def _entry(action: str, obj: Any) -> AuditEntry:
    return AuditEntry.objects.get(action=action, subject_id=str(obj.pk))


def _form_errors(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.status_code  # the form again, not a redirect
    form = response.context["adminform"].form
    return {**form.errors}


def test_cmp_2_canned_responses_are_saved_through_the_service_and_audited(boss: User) -> None:
    client = otp_admin_client(boss)
    url = "/admin/aftersales/cannedresponse/"
    refused = client.post(f"{url}add/", {"title": "   ", "body": "x", "applies_to": "complaint"})
    assert "title" in _form_errors(refused) and not CannedResponse.objects.exists()

    data = {"title": "已收到", "body": "您好，已收到您的投诉。", "applies_to": "complaint", "is_active": "on"}
    assert client.post(f"{url}add/", data).status_code == 302
    response = CannedResponse.objects.get()
    created = _entry("aftersales.canned_response_created", response)
    assert created.actor == boss and created.after is not None and created.after["title"] == "已收到"

    assert client.post(f"{url}{response.pk}/change/", {**data, "is_active": ""}).status_code == 302
    response.refresh_from_db()
    assert response.is_active is False
    changed = _entry("aftersales.canned_response_changed", response)
    assert changed.before == {"is_active": True} and changed.after == {"is_active": False}
    assert client.get(f"{url}{response.pk}/delete/").status_code == 403  # retired, never deleted


def test_ops_1_business_calendar_days_are_kept_through_the_service_and_move_working_days(boss: User) -> None:
    client = otp_admin_client(boss)
    url = "/admin/business_calendar/holiday/"
    monday = date(2026, 11, 30)
    assert add_working_days(monday, 1) == date(2026, 12, 1)

    weekend = client.post(f"{url}add/", {"date": "2026-12-05", "kind": "holiday", "name": "休息"})
    assert "date" in _form_errors(weekend)  # a Saturday is already off: the row would change nothing
    added = client.post(f"{url}add/", {"date": "2026-12-01", "kind": "holiday", "name": "平台休息日"})
    assert added.status_code == 302
    holiday = Holiday.objects.get(date=date(2026, 12, 1))
    assert add_working_days(monday, 1) == date(2026, 12, 2)  # the next working-day clock counts with it
    assert _entry("calendar.holiday_created", holiday).after == {
        "date": "2026-12-01",
        "kind": "holiday",
        "name": "平台休息日",
    }

    assert client.post(f"{url}{holiday.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Holiday.objects.filter(date=date(2026, 12, 1)).exists()
    assert add_working_days(monday, 1) == date(2026, 12, 1)
    deleted = AuditEntry.objects.get(action="calendar.holiday_deleted", subject_id=str(holiday.pk))
    assert deleted.actor == boss and deleted.before is not None and deleted.before["name"] == "平台休息日"


def test_cat_3_banned_terms_are_saved_through_the_service_and_audited(boss: User) -> None:
    client = otp_admin_client(boss)
    url = "/admin/catalog/bannedterm/"
    data = {"phrase": " 特效神药 ", "severity": "hard", "reason": "", "is_active": "on"}
    assert "reason" in _form_errors(client.post(f"{url}add/", data))  # a hard ban says why

    assert (
        client.post(f"{url}add/", {**data, "reason": "虚假宣传 (Advertising Law Art. 9)"}).status_code == 302
    )
    term = BannedTerm.objects.get(phrase="特效神药")  # stored trimmed, as the pre-screen matches it
    assert any(t.phrase == "特效神药" and t.severity == "hard" for t in banned_terms_active())
    assert _entry("catalog.banned_term_created", term).actor == boss

    changed = client.post(
        f"{url}{term.pk}/change/", {"phrase": "特效神药", "severity": "soft", "reason": term.reason}
    )
    assert changed.status_code == 302
    assert not any(t.phrase == "特效神药" for t in banned_terms_active())  # retired (inactive)
    entry = _entry("catalog.banned_term_changed", term)
    assert entry.before == {"severity": "hard", "is_active": True}
    assert entry.after == {"severity": "soft", "is_active": False}


def test_dsp_3_ruling_templates_are_saved_through_the_service_and_audited(boss: User) -> None:
    client = otp_admin_client(boss)
    url = "/admin/disputes/rulingtemplate/"
    data = {
        "kind": RulingKind.FULL_REFUND,
        "name_zh": "全额退款",
        "name_en": "Full refund",
        "reasons": "订单 {order_number} 商品与描述不符，{buyer} 获全额退款。",
        "is_active": "on",
    }
    assert "reasons" in _form_errors(client.post(f"{url}add/", data))  # {buyer} is filled by nothing

    data["reasons"] = "订单 {order_number} 商品与描述不符，退款 {refund_amount} 元。"
    assert client.post(f"{url}add/", data).status_code == 302
    template = RulingTemplate.objects.get()
    assert _entry("disputes.ruling_template_created", template).after["kind"] == RulingKind.FULL_REFUND  # type: ignore[index]

    assert (
        client.post(f"{url}{template.pk}/change/", {**data, "name_en": "Refund in full"}).status_code == 302
    )
    entry = _entry("disputes.ruling_template_changed", template)
    assert entry.before == {"name_en": "Full refund"} and entry.after == {"name_en": "Refund in full"}
    assert client.get(f"{url}{template.pk}/delete/").status_code == 403


def test_stf_8_training_courses_are_saved_through_the_service_and_audited(boss: User) -> None:
    client = otp_admin_client(boss)
    url = "/admin/staff/trainingcourse/"
    data = {
        "code": "ops-basics",
        "title": "平台操作入门",
        "audience": "staff",
        "description": "",
        "pass_score": 60,
        # the course page lists its sessions (read-only) below
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
    }
    assert client.post(f"{url}add/", data).status_code == 302
    course = TrainingCourse.objects.get(code="ops-basics")
    assert _entry("staff.training_course_created", course).after["pass_score"] == 60  # type: ignore[index]

    page = client.get(f"{url}{course.pk}/change/").content.decode()
    assert 'name="code"' not in page  # permissions name the training by its code: fixed
    saved = client.post(f"{url}{course.pk}/change/", {**data, "code": "other", "pass_score": 80})
    assert saved.status_code == 302
    course.refresh_from_db()
    assert (course.code, course.pass_score) == ("ops-basics", 80)
    entry = _entry("staff.training_course_changed", course)
    assert entry.before == {"pass_score": 60} and entry.after == {"pass_score": 80}


def test_stf_8_training_sessions_are_moved_through_the_service_and_audited(boss: User) -> None:
    course = TrainingCourse.objects.create(code="ops-basics", title="平台操作入门", audience="staff")
    trainer = StaffFactory.create()
    session = training_session_schedule(
        course=course, starts_at=timezone.now(), trainer=trainer, location="三楼会议室", actor=boss
    )
    client = otp_admin_client(boss)
    url = f"/admin/staff/trainingsession/{session.pk}/change/"
    moved = client.post(
        url,
        {
            "starts_at_0": "2026-12-08",
            "starts_at_1": "14:00:00",
            "trainer": trainer.pk,
            "location": "五楼培训室",
            "attendances-TOTAL_FORMS": "0",
            "attendances-INITIAL_FORMS": "0",
        },
    )
    assert moved.status_code == 302
    session.refresh_from_db()
    assert session.location == "五楼培训室" and session.course == course
    entry = _entry("staff.training_session_changed", session)
    assert entry.actor == boss and entry.before is not None and entry.after is not None
    assert (entry.before["location"], entry.after["location"]) == ("三楼会议室", "五楼培训室")


def test_stf_1_a_staff_members_title_is_changed_through_the_service_and_audited(boss: User) -> None:
    profile = StaffProfile.objects.get(user=staff_member())
    client = otp_admin_client(boss)
    saved = client.post(f"/admin/staff/staffprofile/{profile.pk}/change/", {"title": "高级专员"})
    assert saved.status_code == 302
    profile.refresh_from_db()
    assert profile.title == "高级专员"
    entry = _entry("staff.profile_changed", profile)
    assert entry.before == {"title": "专员"} and entry.after == {"title": "高级专员"}


def test_stf_5_shared_credentials_and_their_holders_are_saved_through_the_service_and_audited(
    boss: User,
) -> None:
    client = otp_admin_client(boss)
    url = "/admin/staff/sharedcredential/"
    technology = department(Department.Code.TECHNOLOGY)
    engineer, customer = StaffFactory.create(), CustomerFactory.create()
    data = {"name": "支付宝商户后台", "department": technology.pk, "holders": [engineer.pk, customer.pk]}
    assert "holders" in _form_errors(client.post(f"{url}add/", data))  # only staff know a credential

    assert client.post(f"{url}add/", {**data, "holders": [engineer.pk]}).status_code == 302
    credential = SharedCredential.objects.get()
    assert list(credential.holders.all()) == [engineer]
    created = _entry("staff.shared_credential_created", credential)
    assert created.after == {"name": "支付宝商户后台", "department": technology.pk, "holders": [engineer.pk]}

    assert client.post(f"{url}{credential.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not SharedCredential.objects.exists()
    deleted = AuditEntry.objects.get(action="staff.shared_credential_deleted", subject_id=str(credential.pk))
    assert deleted.actor == boss and deleted.before is not None and deleted.before["holders"] == [engineer.pk]


def test_ord_9_field_coordinators_and_their_areas_are_saved_through_the_service_and_audited(
    boss: User,
) -> None:
    client = otp_admin_client(boss)
    url = "/admin/fieldwork/fieldcoordinator/"
    staff, customer = StaffFactory.create(), CustomerFactory.create()
    data = {"user": customer.pk, "display_name": "王师傅", "is_active": "on", "areas": "北京市朝阳区"}
    assert "user" in _form_errors(client.post(f"{url}add/", data))  # a coordinator is staff

    areas = "北京市朝阳区\n北京市海淀区\n\n"
    assert client.post(f"{url}add/", {**data, "user": staff.pk, "areas": areas}).status_code == 302
    coordinator = FieldCoordinator.objects.get()
    assert sorted(coordinator.areas.values_list("area", flat=True)) == ["北京市朝阳区", "北京市海淀区"]
    created = _entry("fieldwork.coordinator_created", coordinator)
    assert created.actor == boss and created.after is not None
    assert created.after["areas"] == ["北京市朝阳区", "北京市海淀区"]

    changed = client.post(
        f"{url}{coordinator.pk}/change/", {**data, "areas": "北京市海淀区", "is_active": ""}
    )
    assert changed.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.is_active is False and coordinator.user == staff
    assert list(coordinator.areas.values_list("area", flat=True)) == ["北京市海淀区"]
    entry = _entry("fieldwork.coordinator_changed", coordinator)
    assert entry.before == {"is_active": True, "areas": ["北京市朝阳区", "北京市海淀区"]}
    assert entry.after == {"is_active": False, "areas": ["北京市海淀区"]}


def test_usr_1_stf_3_deactivating_an_account_needs_a_reason_and_ends_its_sessions_and_tokens(
    boss: User,
) -> None:
    customer = CustomerFactory.create()
    customer_browser = Client()
    assert customer_browser.login(username=customer.email, password=DEFAULT_PASSWORD)
    user_token_issue(user=customer)
    colleague = StaffFactory.create()
    client = otp_admin_client(boss)
    url = "/admin/accounts/user/"

    # the change page shows the state, never a box to untick (that would leave sessions and tokens alive)
    client.post(
        f"{url}{customer.pk}/change/", {"email": customer.email, "phone": customer.phone, "name": "x"}
    )
    customer.refresh_from_db()
    assert customer.is_active is True

    def act(action: str, user: User, reason: str) -> Any:
        body = {"action": action, ACTION_CHECKBOX_NAME: [user.pk], "reason": reason}
        return client.post(url, body, follow=True)

    act("deactivate", customer, "")
    customer.refresh_from_db()
    assert customer.is_active is True  # no reason, no penalty (USR-1)

    done = act("deactivate", customer, "刷单欺诈，经核实")
    assert done.status_code == 200
    customer.refresh_from_db()
    assert customer.is_active is False
    assert not AuthToken.objects.filter(user=customer).exists()
    assert not any(
        str(s.get_decoded().get("_auth_user_id")) == str(customer.pk) for s in Session.objects.all()
    )
    entry = _entry("account.deactivated", customer)
    assert entry.actor == boss and entry.reason == "刷单欺诈，经核实"
    assert entry.after == {"is_active": False, "sessions_ended": 1, "tokens_revoked": 1}

    act("deactivate", colleague, "离职")
    colleague.refresh_from_db()
    assert colleague.is_active is True  # staff are offboarded (STF-5), not switched off here

    act("reactivate", customer, "申诉成立")
    customer.refresh_from_db()
    assert customer.is_active is True
    assert _entry("account.reactivated", customer).reason == "申诉成立"


#: Admins that may save without a service, each with why. Only what is audited by design belongs here.
SAVES_WITHOUT_A_SERVICE: dict[str, str] = {}

PROJECT_APPS = (
    "platform_core",
    "merchants",
    "catalog",
    "orders",
    "aftersales",
    "disputes",
    "staff",
    "jury",
    "fieldwork",
    "simulation",
)


def _editable(model_admin: Any, request: Any, obj: Any) -> list[str]:
    fields = flatten_fieldsets(model_admin.get_fieldsets(request, obj))
    return [f for f in fields if f not in model_admin.get_readonly_fields(request, obj)]


def _inline_writes(inline: Any, request: Any, obj: Any) -> bool:
    editable = _editable(inline, request, obj)
    may_add_or_change = inline.has_add_permission(request, obj) or inline.has_change_permission(request, obj)
    return bool(editable and may_add_or_change) or (
        inline.can_delete and inline.has_delete_permission(request, obj)
    )


def test_aud_1_no_admin_of_the_project_saves_without_a_service(boss: User) -> None:
    """An admin whose add or change page has an editable field (for a superuser, who may do everything) must
    override ``save_model`` (the service writes, with its audit row); one with a writable inline must override
    ``save_related``; a ``ServiceAdmin`` has no ``list_editable`` and no writable inline (its ``save_model`` and
    ``save_related`` write nothing: the service does, so those edits would be lost)."""
    request = RequestFactory().get("/admin/")
    request.user = boss
    offenders = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if not model.__module__.startswith(PROJECT_APPS) or label in SAVES_WITHOUT_A_SERVICE:
            continue
        kind = type(model_admin)
        own_add_page = kind.add_view is not admin.ModelAdmin.add_view  # a service form page of its own
        add = (
            not own_add_page
            and model_admin.has_add_permission(request)
            and _editable(model_admin, request, None)
        )
        obj = model()
        change = model_admin.has_change_permission(request, obj) and _editable(model_admin, request, obj)
        if (add or change) and kind.save_model is admin.ModelAdmin.save_model:
            offenders.append(f"{label}: saves with a bare save() ({kind.__module__}.{kind.__name__})")
        inlines = model_admin.get_inline_instances(request, obj)
        if (
            any(_inline_writes(i, request, obj) for i in inlines)
            and kind.save_related is admin.ModelAdmin.save_related
        ):
            offenders.append(f"{label}: its inlines save with a bare save()")
        if isinstance(model_admin, ServiceAdmin) and model_admin.list_editable:
            offenders.append(f"{label}: list_editable on a ServiceAdmin is never saved")
        if isinstance(model_admin, ServiceAdmin) and any(_inline_writes(i, request, obj) for i in inlines):
            offenders.append(f"{label}: the inlines of a ServiceAdmin are shown, never saved")
    assert not offenders, "\n".join(offenders)
