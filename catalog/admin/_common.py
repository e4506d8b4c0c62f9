"""Helpers shared by the catalog's admin modules: the reason box of the actions, the acting staff member,
running an action's service over the selected rows, the CAT-4 time left, and the base of the reviewers'
queues (the listing review queue, CAT-4; the re-checks, CAT-10)."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from platform_core import clock
from platform_core.accounts.models import User
from platform_core.admin_site import ViewOnlyMixin
from platform_core.console.queues import duration_text
from platform_core.errors import DomainError

REVIEW_PERMISSION = "catalog.review_listing"


class ReasonActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason / note"), required=False, max_length=500)


def _staff(request: HttpRequest) -> User:
    """The admin only lets staff in, so the request user is a real ``User``."""
    assert isinstance(request.user, User)
    return request.user


def _run(
    request: HttpRequest, modeladmin: admin.ModelAdmin, fn: Any, objs: Iterable[Model], **kwargs: Any
) -> None:
    done = 0
    for obj in objs:
        try:
            fn(obj, **kwargs)
            done += 1
        except (DomainError, Exception) as exc:  # report each failure, carry on with the rest
            modeladmin.message_user(request, f"#{obj.pk}: {exc}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(n)d done.") % {"n": done}, level=messages.SUCCESS)


def time_left(submitted_at: datetime | None) -> str:
    if submitted_at is None:
        return "-"
    return time_to(submitted_at + settings.CATALOG_REVIEW_WITHIN)


def time_to(due: datetime) -> str:
    left = due - clock.now()
    minutes = int(abs(left).total_seconds() // 60)
    text = duration_text(timedelta(minutes=minutes))  # issue 21: "23 小时 59 分钟", not "23h 59m"
    return (
        str(_("%(t)s left") % {"t": text})
        if left >= timedelta(0)
        else str(_("overdue by %(t)s") % {"t": text})
    )


class ReviewerQueueAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """CAT-3, CAT-10: a reviewers' queue of rows about one listing each (``obj.listing``): seen by holders of
    ``catalog.review_listing``; nothing is added, changed or deleted here, decisions are the actions."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    @admin.display(description=_("merchant"))
    def merchant(self, obj: Any) -> str:
        return str(obj.listing.merchant.name)
