from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_core.errors import InvalidInput


class PagePagination(PageNumberPagination):
    """``?page=2&page_size=50``; at most 100 a page.

    Issue 24: the schema documents a view's list answer as this page envelope only when the view declares
    ``pagination_class``, so a page is served only for such a view (a view that paginates without saying
    so fails loudly in its first test, instead of contradicting the schema). A ``page_size`` that is not
    a whole number from 1 is a 400, not silently the default.
    """

    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Request, view: APIView | None = None) -> Any:
        declared = getattr(view, "pagination_class", None)
        if view is None or declared is None or not isinstance(self, declared):
            raise ImproperlyConfigured(
                f"{type(view).__name__} paginates: declare pagination_class = {type(self).__name__} on it "
                "so that the schema documents the page envelope."
            )
        return super().paginate_queryset(queryset, request, view=view)

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.get(self.page_size_query_param or "")
        if raw is not None and not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31):
            raise InvalidInput(
                _("The request has invalid fields."),
                errors={"page_size": [_("A whole number from 1 to %(n)d.") % {"n": self.max_page_size}]},
            )
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class WindowCountPaginator(Paginator):
    """Issue 26 (decision 049): a page's rows carry the total (``COUNT(*) OVER ()``), so a page with rows
    costs one statement instead of a ``COUNT`` and then the rows; an empty page (none at all, or past the
    last) is counted as before. For lists whose filter is cheap to run in full (one customer's orders):
    the window counts every match before the page is cut."""

    def page(self, number: Any) -> Page:
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            return super().page(number)
        if wanted < 1 or "count" in self.__dict__:
            return super().page(number)
        bottom = (wanted - 1) * self.per_page
        listed: Any = self.object_list
        rows = list(listed.annotate(_window_count=Window(Count("*")))[bottom : bottom + self.per_page])
        if not rows:
            return super().page(number)
        self.__dict__["count"] = rows[0]._window_count  # Paginator.count is a cached_property
        return Page(rows, wanted, self)


class WindowCountPagination(PagePagination):
    """``PagePagination`` counting with the page's rows (``WindowCountPaginator``)."""

    django_paginator_class = WindowCountPaginator


def paginate(
    request: Request, view: APIView, queryset: QuerySet[Any], serializer: type[serializers.Serializer]
) -> Response:
    """One page of ``queryset``, serialized, with the paginator's ``count``/``next``/``previous``."""
    paginator = getattr(view, "pagination_class", PagePagination)()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)
