"""The admin site: staff need a verified second factor (SEC-3) unless ``STAFF_REQUIRE_OTP`` is off (demo); the
API asks the same of staff accounts (``platform_core.accounts.authentication``).

Its index is the operations console (issue 12): above the app list, the work queues the staff member may
work (``platform_core.console.queues``), each with its count, the oldest item's time left and a link.
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse
from django_otp.admin import OTPAdminSite

from platform_core.accounts.masking import may_view_personal_data, personal_data_viewed
from platform_core.accounts.roles import Role
from platform_core.console.queues import work_queue_states

#: a read-only user may still post these (sign out, change their own password)
READ_ONLY_POSTS = ("logout", "password_change")


def action_permission(*perms: str) -> Callable[[Any, HttpRequest], bool]:
    """A ``has_<name>_permission`` method for ``@admin.action(permissions=[name])``: the action is offered
    (and run) only to holders of any one of ``perms`` — the permission its service requires::

        @admin.action(description=..., permissions=["takedown"])
        def bulk_takedown(self, request, queryset): ...

        has_takedown_permission = action_permission("catalog.takedown_listing")
    """

    def has_permission(model_admin: Any, request: HttpRequest) -> bool:
        return any(request.user.has_perm(perm) for perm in perms)

    return has_permission


def model_change_permission(model_admin: Any, request: HttpRequest) -> bool:
    """``has_<name>_permission`` for actions of an admin whose edit form is off (``has_change_permission``
    is False): the model's own change permission, as ``ModelAdmin.has_change_permission`` would check it."""
    return admin.ModelAdmin.has_change_permission(model_admin, request)


def is_read_only(user: Any) -> bool:
    """AUD-2: auditors see everything and change nothing (unless someone also made them superuser)."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return False
    return any(group.name == Role.AUDITOR for group in user.groups.all())


class PlatformAdminSite(OTPAdminSite):
    site_header = "平台运营后台 / Marketplace operations"
    site_title = "Marketplace admin"
    index_title = "运营工作台 / Operations console"

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.STAFF_REQUIRE_OTP:
            return super().has_permission(request)
        return admin.AdminSite.has_permission(self, request)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        """Every admin page, with AUD-2's guard: a read-only user's POST (save, delete, action,
        transition) is refused with 403 whatever a model admin offers, except signing out."""
        wrapped = super().admin_view(view, cacheable)
        name = getattr(view, "__name__", "")

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            writes = request.method not in ("GET", "HEAD", "OPTIONS") and name not in READ_ONLY_POSTS
            if writes and is_read_only(request.user):
                raise PermissionDenied
            response: HttpResponseBase = wrapped(request, *args, **kwargs)
            return response

        return guarded

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        """The console: the visible queues' figures (one or two queries per queue, never per item)."""
        context = {"work_queues": work_queue_states(request.user), **(extra_context or {})}
        return super().index(request, extra_context=context)


def admin_form_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, *, obj: Any, label: Any, form: Any
) -> TemplateResponse:
    """A one-form page on an object (a reason, a payment reference, …) in the look of a transition form."""
    return TemplateResponse(
        request,
        "django_fsm/fsm_admin_transition_form.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "original": obj,
            "transition": {"label": label, "help_text": ""},
            "transition_form": form,
        },
    )


#: SEC-2: who is looking at the admin page being rendered (set around a change page or list by
#: ``PersonalDataAdmin``; a ModelAdmin is shared between requests, so not an attribute of it)
_viewer: ContextVar[Any] = ContextVar("admin_personal_data_viewer", default=None)


def personal_shown(value: Any, mask: Callable[[Any], str]) -> str:
    """SEC-2: ``value`` as the viewer of the admin page being rendered may see it (for inlines' display
    methods too: ``PersonalDataAdmin`` sets the viewer around its pages)."""
    return str(value or "") if may_view_personal_data(_viewer.get()) else mask(value)


class PersonalDataAdmin(admin.ModelAdmin):
    """SEC-2 in the admin, as in the API and the exports: personal data is shown masked unless the viewer
    holds ``staff.view_personal_data``; each page that shows it unmasked is audited (``personal_data.viewed``:
    who, which objects, which fields).

    ``personal_data_fields`` names the model's personal fields (for the audit entry); the admin shows them
    through display methods that call ``self.personal(obj, value, mask)`` instead of the raw fields, and
    keeps the raw fields out of its forms and lists.
    """

    personal_data_fields: tuple[str, ...] = ()
    #: search fields that match personal data (e.g. ``"=phone"``, ``"customer__email"``): offered only to a
    #: viewer who may see it, or searching by a phone number would tell who it belongs to (SEC-2)
    personal_search_fields: tuple[str, ...] = ()

    def get_search_fields(self, request: HttpRequest) -> list[str] | tuple[str, ...]:
        fields = super().get_search_fields(request)
        if may_view_personal_data(request.user):
            return fields
        return tuple(field for field in fields if field not in self.personal_search_fields)

    def personal(self, value: Any, mask: Callable[[Any], str]) -> str:
        return personal_shown(value, mask)

    def personal_repr(self, obj: Any) -> str | None:
        """How the change page names ``obj`` to a viewer who may not see personal data (None: ``str(obj)``
        holds none)."""
        return None

    def _audited(
        self, request: HttpRequest, response: HttpResponseBase, objects: list[Any], page: str
    ) -> HttpResponseBase:
        context = getattr(response, "context_data", None)
        if (
            page == "admin page"
            and objects
            and context is not None
            and not may_view_personal_data(request.user)
        ):
            masked = self.personal_repr(objects[0])
            if masked is not None:
                context["subtitle"] = masked  # the page's title and breadcrumbs
        token = _viewer.set(request.user)
        try:
            if isinstance(response, TemplateResponse) and not response.is_rendered:
                response.render()  # the display methods run now, with the viewer set
        finally:
            _viewer.reset(token)
        if request.method == "GET" and objects and may_view_personal_data(request.user):
            if len(objects) == 1:
                personal_data_viewed(
                    viewer=request.user, subject=objects[0], fields=self.personal_data_fields, purpose=page
                )
            else:
                label = self.model._meta.label_lower
                ids = ", ".join(str(obj.pk) for obj in objects)
                personal_data_viewed(
                    viewer=request.user,
                    subject=None,
                    fields=self.personal_data_fields,
                    purpose=f"{page}: {label} {ids}",
                )
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        token = _viewer.set(request.user)
        try:
            response = super().changelist_view(request, extra_context)
        finally:
            _viewer.reset(token)
        changelist = getattr(response, "context_data", None) or {}
        objects = list(getattr(changelist.get("cl"), "result_list", []) or [])
        return self._audited(request, response, objects, "admin list")

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        token = _viewer.set(request.user)
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
        finally:
            _viewer.reset(token)
        original = (getattr(response, "context_data", None) or {}).get("original")
        return self._audited(request, response, [original] if original is not None else [], "admin page")
