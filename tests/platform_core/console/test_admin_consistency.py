"""AUD-2, issue 12: the admin reads the same everywhere — every bulk action names the permission it needs,
the auditor is offered none, and every state machine's list can be filtered by state and searched."""

from typing import Any

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import RequestFactory
from django_fsm import FSMField

from platform_core.accounts.models import User
from platform_core.admin_site import action_permission

pytestmark = pytest.mark.django_db

#: queues of one state (the proxy or queryset fixes it): a state filter would offer one choice
ONE_STATE_QUEUES = {"catalog.ListingReview", "aftersales.ServiceConversation"}
PROJECT_APPS = {"platform_core", "merchants", "catalog", "orders", "aftersales", "disputes", "staff"}


def _project_admins() -> "list[tuple[type[Model], admin.ModelAdmin[Any]]]":
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_config.name.split(".")[0] in PROJECT_APPS
    ]


def _action_names(model_admin: "admin.ModelAdmin[Any]") -> list[str]:
    return [a if isinstance(a, str) else a.__name__ for a in model_admin.actions or []]


def test_aud_2_every_admin_action_declares_its_permission() -> None:
    undeclared = []
    for model, model_admin in _project_admins():
        for name in _action_names(model_admin):
            action = getattr(model_admin, name)
            permissions = getattr(action, "allowed_permissions", ())
            if not permissions:
                undeclared.append(f"{model._meta.label}.{name}")
            for permission in permissions:
                assert hasattr(model_admin, f"has_{permission}_permission"), (model, name, permission)
    assert undeclared == []


def test_aud_2_auditor_is_offered_no_admin_action(auditor: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=auditor.pk)
    offered = {
        f"{model._meta.label}: {sorted(model_admin.get_actions(request))}"
        for model, model_admin in _project_admins()
        if model_admin.has_view_permission(request) and model_admin.get_actions(request)
    }
    assert offered == set()


def test_aud_2_state_machine_admins_filter_by_state_and_search() -> None:
    for model, model_admin in _project_admins():
        states = [f.name for f in model._meta.fields if isinstance(f, FSMField)]
        if not states or model._meta.label in ONE_STATE_QUEUES:
            continue
        filters = [f[0] if isinstance(f, tuple) else f for f in model_admin.list_filter]
        for state in states:
            assert state in filters, f"{model._meta.label}: list_filter lacks {state}"
        assert model_admin.search_fields, f"{model._meta.label}: no search_fields"


def test_aud_2_action_permission_checks_any_of_the_permissions(auditor: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = auditor
    check = action_permission("catalog.takedown_listing", "reports.view_exportlog")
    assert check(None, request) is True  # the auditor holds the second
    assert action_permission("catalog.takedown_listing")(None, request) is False
