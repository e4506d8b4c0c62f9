"""What the customer-service console's admins share: the SLA badge, the order's timeline, the console's
action form with canned responses, running an action over the selected rows, people shown masked (SEC-2)."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from aftersales import selectors
from aftersales.models import (
    CannedResponse,
)
from orders.models import Order
from platform_core import clock as platform_clock
from platform_core.accounts.models import User
from platform_core.admin_site import ViewOnlyMixin, model_change_permission, personal_shown
from platform_core.console.queues import duration_text
from platform_core.errors import DomainError
from platform_core.reports.masks import mask_person


def person_shown(user: User | None) -> str:
    """SEC-2: an account (a customer, a sender, an actor) as the viewer of the admin page may see it: masked
    without ``staff.view_personal_data`` (``str(user)`` is the name, else the e-mail, else the phone)."""
    return personal_shown(str(user) if user is not None else "", mask_person)


class ConsoleActionForm(ActionForm):
    canned = forms.ModelChoiceField(
        label=_("Canned response"),
        queryset=CannedResponse.objects.filter(is_active=True),
        required=False,
    )
    text = forms.CharField(label=_("Answer / note"), required=False, max_length=5000)


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _text(request: HttpRequest) -> str:
    text = request.POST.get("text", "").strip()
    canned_id = request.POST.get("canned")
    if not text and canned_id:
        canned = CannedResponse.objects.filter(pk=canned_id).first()
        text = canned.body if canned else ""
    return text


def _run(
    request: HttpRequest, modeladmin: admin.ModelAdmin, fn: Any, objects: QuerySet[Any], **kwargs: Any
) -> None:
    done = 0
    for obj in objects:
        try:
            fn(obj, **kwargs)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"#{obj.pk}: {exc.message}", level=messages.ERROR)
        except Exception as exc:  # report each failure (e.g. a refused transition), carry on
            modeladmin.message_user(request, f"#{obj.pk}: {exc}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(n)d done.") % {"n": done}, level=messages.SUCCESS)


def badge(due_at: datetime | None) -> SafeString:
    """SLA badge with the time left (or overdue); its colours are classes of ``static/console/console.css``
    (the console's content security policy blocks inline styles)."""
    if due_at is None:
        return format_html('<span class="sla-none">{}</span>', "-")
    seconds = int((due_at - platform_clock.now()).total_seconds())
    kind = selectors.sla_badge(seconds)
    minutes = abs(seconds) // 60
    text = duration_text(timedelta(minutes=minutes))  # issue 21: "23 小时 59 分钟", not "23h 59m"
    label = _("%(t)s left") % {"t": text} if seconds >= 0 else _("overdue %(t)s") % {"t": text}
    return format_html(
        '<span class="sla-badge sla-{}">{}</span>',
        kind,
        label,
    )


def timeline_table(order: Order | None) -> SafeString:
    """The order's events, payments, refunds, tracking, after-sales steps and complaints by time."""
    if order is None:
        return format_html("{}", "-")
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                timezone.localtime(item["at"]).strftime("%Y-%m-%d %H:%M"),
                item["source"],
                item["what"],
                item["detail"],
            )
            for item in selectors.order_timeline(order=order)
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("When"),
        _("Source"),
        _("What"),
        _("Detail"),
        rows,
    )


class ReadOnlyMixin(ViewOnlyMixin):
    # the queues' actions need the model's change permission; the edit form stays off
    has_work_permission = model_change_permission
