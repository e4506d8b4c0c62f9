"""The admin site: staff need a verified second factor (SEC-3) unless ``STAFF_REQUIRE_OTP`` is off (demo); the
API asks the same of staff accounts (``platform_core.accounts.authentication``).

Its index is the operations console (issue 12): above the app list, the work queues the staff member may
work (``platform_core.console.queues``), each with its count, the oldest item's time left and a link; for
operations, every timed job of the beat schedule with its last and next run (``console.timed_jobs``).
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from platform_core.accounts.masking import may_view_personal_data, personal_data_viewed
from platform_core.accounts.roles import Role
from platform_core.accounts.selectors import second_factor_enrolment_needed
from platform_core.accounts.views import second_factor_enrol
from platform_core.console.queues import work_queue_states
from platform_core.console.timed_jobs import timed_jobs, timed_jobs_visible_to
from platform_core.errors import DomainError
from platform_core.uploads import evidence_response

#: a read-only user may still post these (sign out, change their own password)
READ_ONLY_POSTS = ("logout", "password_change")


class ViewOnlyMixin:
    """An admin whose rows are looked at, never added, edited or deleted there: the rows are written by
    the services (and their audit rows) or by the engine (decision 041). Also on an inline (whose
    ``has_add_permission`` is passed the parent object)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page (its history, lines, messages), never added, edited or deleted
    there: services write them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


class PlatformAdminAuthenticationForm(OTPAdminAuthenticationForm):
    """SEC-3, issue 21: a staff account with no second factor yet signs in with its password only, to enrol
    one (the site then sends it to the enrolment page, and nothing else opens until it is verified)."""

    def clean(self) -> dict[str, Any]:
        self.cleaned_data = AdminAuthenticationForm.clean(self)
        user = self.get_user()
        if not second_factor_enrolment_needed(user):
            self.clean_otp(user)
        return self.cleaned_data


class PlatformAdminSite(OTPAdminSite):
    # Issue 21: in the reader's language (Chinese by default, English when they pick it)
    site_header = _("Marketplace operations")
    site_title = _("Marketplace admin")
    index_title = _("Operations console")
    #: issue 21: the header's "view site" opens the seller centre (the site has no page at "/")
    site_url = "/merchant/"

    # The sign-in form asks for the TOTP token only when the second factor is required (issue 24: the demo
    # runs with STAFF_REQUIRE_OTP off and signs in with the password alone, as its output says).
    @property
    def login_form(self) -> type[AdminAuthenticationForm]:
        return PlatformAdminAuthenticationForm if settings.STAFF_REQUIRE_OTP else AdminAuthenticationForm

    @property
    def login_template(self) -> str | None:
        return OTPAdminSite.login_template if settings.STAFF_REQUIRE_OTP else None

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.STAFF_REQUIRE_OTP:
            return super().has_permission(request)
        return admin.AdminSite.has_permission(self, request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponseBase:
        """Issue 21: a staff member signed in without a second factor goes to enrol one."""
        if not second_factor_enrolment_needed(request.user):
            response: HttpResponseBase = super().login(request, extra_context)
            if not second_factor_enrolment_needed(request.user):
                return response
        return redirect("admin:second_factor_enrol")

    def get_urls(self) -> list[URLPattern | URLResolver]:
        enrol = path("second-factor/", second_factor_enrol, name="second_factor_enrol")
        return [enrol, *super().get_urls()]

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
        context = {
            "work_queues": work_queue_states(request.user),
            "timed_jobs": timed_jobs() if timed_jobs_visible_to(request.user) else [],
            **(extra_context or {}),
        }
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


def service_form_run(request: HttpRequest, form: Any, perform: Callable[[dict[str, Any]], Any]) -> Any:
    """Issue 21: on a POST whose ``form`` is valid, ``perform(cleaned_data)`` (the task's service) and return
    its result; a ``DomainError`` it raises is shown on the form instead (and ``None`` returned)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return perform(form.cleaned_data)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None


def service_form_page(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    title: Any,
    form: Any,
    notice: Any = "",
    subject: Any = None,
    submit_label: Any = None,
) -> TemplateResponse:
    """Issue 21: a staff task's own page (a form with labels, help text and errors; file uploads allowed)
    whose view calls the task's service; ``notice`` says what the task does and what follows."""
    return TemplateResponse(
        request,
        "admin/service_form.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            "form": form,
            "notice": notice,
            "subject": subject,
            "submit_label": submit_label,
        },
    )


class ServiceAdmin(admin.ModelAdmin):
    """Issue 21: a model admin whose every write is a service call (its validation and audit row), never a bare
    ``save()``. The form runs Django's own checks first (fields, unique values), then, in its last cleaning
    step, the service; a ``DomainError`` it raises is shown on the form (its ``errors`` on their fields).

    A subclass defines ``create(request, data)`` (the add page) and, if the rows may change,
    ``update(request, obj, data)`` (the change page) and ``delete(request, obj)`` (the delete page and the
    "delete selected" action); what it does not define is off (a change page without ``update`` is read-only).
    ``data`` is the form's ``cleaned_data``; ``obj`` is the row the form was given (the form has already set the
    new values on it: the service re-reads the stored row under its lock).
    """

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _defines(self, name: str) -> bool:
        return getattr(type(self), name) is not getattr(ServiceAdmin, name)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._defines("create") and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._defines("update") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._defines("delete") and super().has_delete_permission(request, obj)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def delete(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        admin_ = self
        stored = obj

        class ServiceForm(form_class):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                if self.errors:
                    return
                super()._post_clean()  # the model's field and unique checks, shown on their fields
                if self.errors:
                    return
                data = self.cleaned_data
                try:
                    if stored is None:
                        self.instance = admin_.create(request, data)
                    else:
                        self.instance = admin_.update(request, stored, data)
                except DomainError as exc:
                    self.add_error(None, exc.message)
                    for field, errors in (exc.errors or {}).items():
                        for error in errors if isinstance(errors, list | tuple) else [errors]:
                            self.add_error(field if field in self.fields else None, str(error))

            def save(self, commit: bool = True) -> Any:
                return self.instance  # the service saved it in ``_post_clean``

            def save_m2m(self) -> None:
                pass

        return ServiceForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass  # the service saved it in the form's ``_post_clean``

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service saved what the row relates to; inlines of a ``ServiceAdmin`` are shown, never saved."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete(request, obj)


def add_page_link(
    model_admin: admin.ModelAdmin, request: HttpRequest, model: str, *, label: Any, **initial: Any
) -> dict[str, Any] | None:
    """Issue 21: a link from one object's page to another app's staff task (its admin add page) with the
    form prefilled by ``initial`` (``?order=…``); None unless the user may add there. ``model`` is an
    ``app_label.Model`` string, so an app links to a task of an app above it without importing it."""
    target = model_admin.admin_site._registry.get(apps.get_model(model))
    if target is None or not target.has_add_permission(request):
        return None
    opts = target.model._meta
    url = reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_add")
    return {"url": f"{url}?{urlencode(initial)}", "label": label}


class TaskLinksMixin:
    """Issue 21: an object's change page links to the staff tasks other apps do about it (``add_page_link``:
    shown only to those who may do them). A model admin lists them in ``task_links(request, obj)`` as
    ``(app_label.Model, label, initial values)``; the page's object tools show them."""

    def task_links(self, request: HttpRequest, obj: Any) -> list[tuple[str, Any, dict[str, Any]]]:
        return []

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        if obj is not None:
            links = (
                add_page_link(self, request, model, label=label, **initial)  # type: ignore[arg-type]
                for model, label, initial in self.task_links(request, obj)
            )
            context["task_links"] = [link for link in links if link]
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]


def evidence_link(obj: Any, url_name: str) -> str:
    """A download link to ``obj``'s evidence file (``evidence["file"]``, kept by ``uploads.evidence_store``)."""
    evidence = obj.evidence if isinstance(obj.evidence, dict) else {}
    if not evidence.get("file"):
        return "-"
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=[obj.pk]), _("Download"))


def evidence_download(model_admin: admin.ModelAdmin, request: HttpRequest, pk: int) -> FileResponse:
    """SEC-4: the evidence file of the admin's object ``pk``, to those who may view such objects."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    obj = get_object_or_404(model_admin.model, pk=pk)
    evidence = obj.evidence if isinstance(obj.evidence, dict) else {}
    return evidence_response(
        evidence.get("file") or {}, download_name=f"{model_admin.model._meta.model_name}-{pk}"
    )


#: SEC-2: who is looking at the admin page being rendered (set around a change page or list by
#: ``PersonalDataAdmin``; a ModelAdmin is shared between requests, so not an attribute of it)
_viewer: ContextVar[Any] = ContextVar("admin_personal_data_viewer", default=None)
#: SEC-2: the (personal, masked) names the messages of the admin request being handled must not show
_message_names: ContextVar[list[tuple[str, str]] | None] = ContextVar(
    "admin_personal_message_names", default=None
)


def personal_shown(value: Any, mask: Callable[[Any], str]) -> str:
    """SEC-2: ``value`` as the viewer of the admin page being rendered may see it (for inlines' display
    methods too: ``PersonalDataAdmin`` sets the viewer around its pages)."""
    return str(value or "") if may_view_personal_data(_viewer.get()) else mask(value)


class _Named:
    """SEC-2: an object as a page names it to a viewer who may not see personal data: its primary key (for the
    breadcrumbs' link) and its masked name (what ``{{ object }}`` / ``{{ original }}`` prints)."""

    def __init__(self, obj: Any, name: str) -> None:
        self.pk = obj.pk
        self._name = name

    def __str__(self) -> str:
        return self._name

    def get_username(self) -> str:
        return self._name


def _renamed(value: Any, names: list[tuple[str, str]]) -> Any:
    """SEC-2: ``value`` (a string, safe HTML or nested lists of them, as ``get_deleted_objects`` gives) with each
    personal name replaced by its masked form."""
    if isinstance(value, list):
        return [_renamed(item, names) for item in value]
    if not isinstance(value, str):
        return value
    text = str(value)
    for name, masked in names:
        if isinstance(value, SafeString):
            text = text.replace(escape(name), escape(masked))
        else:
            text = text.replace(name, masked)
    return mark_safe(text) if isinstance(value, SafeString) else text  # noqa: S308 (escaped above)


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

    def action_checkbox(self, obj: Any) -> Any:
        """SEC-2: the list's checkbox is labelled "Select this object for an action - <name>": masked."""
        masked = None if may_view_personal_data(_viewer.get()) else self.personal_repr(obj)
        return super().action_checkbox(obj if masked is None else _Named(obj, masked))

    def log_repr(self, obj: Any) -> str:
        """SEC-2: how the admin's log (``django_admin_log``: the index's "Recent actions", each object's
        history) names ``obj``. Stored and shown to any staff member, so never personal data: ``str(obj)`` when
        it holds none (``personal_repr`` is None), else the model and id ("用户 #123")."""
        if self.personal_repr(obj) is None:
            return str(obj)
        return f"{capfirst(self.model._meta.verbose_name)} #{obj.pk}"

    def _log(
        self, request: HttpRequest, objects: list[Any], flag: int, message: Any = "", *, single: bool = False
    ) -> Any:
        """Django's ``LogEntry.objects.log_actions`` with ``log_repr`` as the stored ``object_repr`` (SEC-2)."""
        import json

        from django.contrib.admin.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        user_id: Any = request.user.pk
        entries = [
            LogEntry(
                user_id=user_id,
                content_type_id=ContentType.objects.get_for_model(obj, for_concrete_model=False).pk,
                object_id=str(obj.pk),
                object_repr=self.log_repr(obj)[:200],
                action_flag=flag,
                change_message=json.dumps(message) if isinstance(message, list) else message,
            )
            for obj in objects
        ]
        if single:
            entries[0].save()
            return entries[0]
        return LogEntry.objects.bulk_create(entries)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        from django.contrib.admin.models import ADDITION

        return self._log(request, [obj], ADDITION, message, single=True)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        from django.contrib.admin.models import CHANGE

        return self._log(request, [obj], CHANGE, message, single=True)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        from django.contrib.admin.models import DELETION

        return self._log(request, list(queryset), DELETION)

    def _masked_names(self, request: HttpRequest, objects: Any) -> list[tuple[str, str]]:
        """(personal name, masked name) of each of ``objects`` whose name the viewer may not see (SEC-2)."""
        if may_view_personal_data(request.user):
            return []
        names = []
        for obj in objects:
            masked = self.personal_repr(obj)
            if masked is not None:
                names += [
                    (name, masked) for name in {str(obj), str(getattr(obj, "get_username", str)())} if name
                ]
        return names

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """SEC-2: the delete page lists the object and the related objects (whose names may hold the customer's,
        e.g. "privacy of 张三"), named masked."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        names = self._masked_names(request, objs)
        return _renamed(deleted, names), counts, perms_needed, _renamed(protected, names)

    def message_user(self, request: HttpRequest, message: Any, *args: Any, **kwargs: Any) -> None:
        """SEC-2: "The user “张三” was changed successfully." names the object masked to whom may not see it."""
        names = _message_names.get()
        super().message_user(request, _renamed(message, names) if names else message, *args, **kwargs)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: str | None = None) -> Any:
        token = _message_names.set(self._masked_names(request, [obj]))
        try:
            return super().response_add(request, obj, post_url_continue)
        finally:
            _message_names.reset(token)

    def response_change(self, request: HttpRequest, obj: Any) -> Any:
        token = _message_names.set(self._masked_names(request, [obj]))
        try:
            return super().response_change(request, obj)
        finally:
            _message_names.reset(token)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        names = _message_names.get()
        if names is not None:  # for response_delete's message
            names.extend(self._masked_names(request, [obj]))
        super().delete_model(request, obj)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> Any:
        token = _message_names.set([])
        try:
            response = super().delete_view(request, object_id, extra_context)
        finally:
            _message_names.reset(token)
        obj = (getattr(response, "context_data", None) or {}).get("object")
        return self._audited(request, response, [obj] if obj is not None else [], "admin delete page")

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> Any:
        response = super().history_view(request, object_id, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("object")
        return self._audited(request, response, [obj] if obj is not None else [], "admin history")

    def _audited(
        self, request: HttpRequest, response: HttpResponseBase, objects: list[Any], page: str
    ) -> HttpResponseBase:
        context = getattr(response, "context_data", None)
        if len(objects) == 1 and context is not None and not may_view_personal_data(request.user):
            masked = self.personal_repr(objects[0])
            if masked is not None:
                # the page's title and breadcrumbs: the change page's subtitle; the history, delete and
                # password pages' title and ``object`` / ``original``
                if page == "admin page":
                    context["subtitle"] = masked
                names = self._masked_names(request, objects)
                if context.get("title"):
                    context["title"] = _renamed(str(context["title"]), names)
                for key in ("object", "original"):
                    if page != "admin page" and context.get(key) is objects[0]:
                        context[key] = _Named(objects[0], masked)
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
