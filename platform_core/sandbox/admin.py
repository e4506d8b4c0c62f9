"""The admin's "Test clock" page (decision 026): staff with ``sandbox.advance_test_clock`` (and the second
factor the admin asks of everyone) advance the platform's clock. Not registered in production."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from platform_core import clock
from platform_core.admin_site import ViewOnlyMixin
from platform_core.errors import DomainError
from platform_core.sandbox.models import TestClock
from platform_core.sandbox.services import ADVANCE_PERMISSION, test_clock_advance


class ClockAdvanceForm(forms.Form):
    hours = forms.IntegerField(label=gettext_lazy("Hours to advance"), min_value=1, initial=24)


class TestClockAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """One page instead of a list: the platform's time, its offset, and a form to advance it."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(ADVANCE_PERMISSION)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ADVANCE_PERMISSION)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not request.user.has_perm(ADVANCE_PERMISSION):
            raise PermissionDenied
        form = ClockAdvanceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = test_clock_advance(actor=request.user, hours=form.cleaned_data["hours"])  # type: ignore[arg-type]
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("The clock now reads %(now)s; %(count)s deadline(s) were enforced on the way.")
                    % {
                        "now": clock.localtime().strftime("%Y-%m-%d %H:%M"),
                        "count": result.deadlines_enforced,
                    },
                )
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Test clock"),
            "form": form,
            "enabled": settings.PLATFORM_TEST_CLOCK_ENABLED,
            "platform_now": clock.localtime(),
            "offset": clock.offset(),
        }
        return TemplateResponse(request, "admin/sandbox/clock.html", context)


if not settings.IS_PRODUCTION:
    admin.site.register(TestClock, TestClockAdmin)
