"""AUD-1, issue 21 (decision 046): the audit log stores the subject's name language-neutral (the MAC covers
it, so it must not depend on who wrote it in which language) and shows it in the reader's language."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from orders.models import Order
from platform_core.audit.selectors import audit_chain_verify
from platform_core.audit.services import audit_record, audit_seal
from platform_core.reports.registry import ReportFilters, report_get
from platform_core.reports.renderers import iter_cells
from tests.factories.accounts import StaffFactory, UserFactory
from tests.factories.orders import paid_order
from tests.helpers.admin_otp import otp_admin_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("platform_default_language")]


def test_aud_1_subject_stored_language_neutral_and_the_chain_verifies() -> None:
    order = paid_order()
    with translation.override("zh-hans"):
        assert str(order) == f"订单 {order.number}"
        entry = audit_record(actor=StaffFactory.create(), action="order.inspected", subject=order)
    assert entry.subject_repr == f"Order {order.number}"  # the msgid, whatever the writer's language
    audit_seal()
    assert audit_chain_verify().ok


def test_aud_1_admin_names_the_subject_in_the_readers_language() -> None:
    order = paid_order()
    gone = Order(pk=987654, number="GONE-1")  # a subject that no longer exists: the stored text is shown
    with translation.override("zh-hans"):
        entry = audit_record(actor=None, action="order.inspected", subject=order)
        orphan = audit_record(actor=None, action="order.inspected", subject=gone)
    browser = otp_admin_client(UserFactory.create(is_staff=True, is_superuser=True))
    changelist = reverse("admin:audit_auditentry_changelist") + "?action=order.inspected"

    page = browser.get(changelist).content.decode()
    assert f"订单 {order.number}" in page and f"Order {order.number}" not in page
    assert "Order GONE-1" in page  # the fallback
    detail = browser.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).content.decode()
    assert f"订单 {order.number}" in detail
    assert f"Order {order.number}" in detail  # "记录时的对象": the stored text, as the chain covers it
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the reader picks English
    english = browser.get(changelist)
    assert f"Order {order.number}" in english.content.decode()
    assert orphan.subject_repr == "Order GONE-1"


def test_aud_1_audit_export_names_the_subject_in_the_readers_language() -> None:
    order = paid_order()
    audit_record(actor=None, action="order.inspected", subject=order)
    definition = report_get("audit_log")
    column = [c.key for c in definition.columns].index("subject_text")
    filters = ReportFilters(extra={"action": "order.inspected"})
    with translation.override("zh-hans"):
        chinese = [cells[column] for cells in iter_cells(definition, filters, masked=True)]
    with translation.override("en"):
        english = [cells[column] for cells in iter_cells(definition, filters, masked=True)]
    assert chinese == [f"订单 {order.number}"]
    assert english == [f"Order {order.number}"]
