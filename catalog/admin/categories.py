"""Issue 21: the category tree in the admin (MER-1, MER-5, PAY-4, AFS-2, CAT-3): every save goes through
``catalog.services.categories.category_save`` and its audit row; categories are never deleted."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Listing
from catalog.services.categories import CATEGORY_FIELDS, category_save, category_validate
from merchants.models import DocumentKind
from platform_core.accounts.acting import request_user
from platform_core.errors import InvalidInput

LISTING_FIELD_LABELS = {
    "images": _("images"),
    "service_area": _("service area"),
    "service_duration_minutes": _("service duration"),
}


class CategoryForm(forms.ModelForm):
    """The JSON lists are checkboxes of the known values, never free text."""

    required_document_kinds = forms.MultipleChoiceField(
        label=_("required licences"),
        choices=DocumentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Industry licences a merchant must hold to list here (subcategories inherit them)."),
    )
    required_listing_fields = forms.MultipleChoiceField(
        label=_("required listing fields"),
        choices=[(f, LISTING_FIELD_LABELS.get(f, f)) for f in Listing.OPTIONAL_REQUIRABLE_FIELDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Category
        fields = list(CATEGORY_FIELDS)
        labels = {
            "deposit_amount": _("deposit (CNY)"),
            "commission_rate": _("commission rate"),
            "no_reason_return_excluded": _("excluded from 7-day no-reason returns"),
            "aftersales_special": _("48-hour after-sales response (large items)"),
            "parent": _("parent category"),
        }
        help_texts = {"commission_rate": _("A fraction: 0.05 is 5 %.")}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if all(field in cleaned for field in CATEGORY_FIELDS):
            try:
                category_validate(data=cleaned, category=self.instance if self.instance.pk else None)
            except InvalidInput as exc:
                for field, messages in (exc.errors or {}).items():
                    for message in messages:
                        self.add_error(field, message)
        return cleaned


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = [
        "tree_name",
        "slug",
        "deposit_amount",
        "commission_rate",
        "no_reason_return_excluded",
        "is_service",
    ]
    list_filter = ["is_service", "no_reason_return_excluded", "aftersales_special"]
    search_fields = ["name", "name_en", "slug"]
    list_select_related = ["parent__parent"]
    prepopulated_fields = {"slug": ("name_en",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).select_related("parent__parent")

    @admin.display(description=_("category"), ordering="slug")
    def tree_name(self, category: Category) -> str:
        """The path from the root (``食品 › 生鲜``): the tree at a glance."""
        names: list[str] = []
        seen: set[int] = set()
        node: Category | None = category
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # merchants, listings and orders name it (MER-10)

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        saved = category_save(
            category=Category.objects.get(pk=obj.pk) if change else None,
            data=form.cleaned_data,
            actor=request_user(request),
        )
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """No relation is saved here: the service saved everything."""
