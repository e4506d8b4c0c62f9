from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class PagePagination(PageNumberPagination):
    """``?page=2&page_size=50``; at most 100 a page."""

    page_size_query_param = "page_size"
    max_page_size = 100


def paginate(
    request: Request, view: APIView, queryset: QuerySet[Any], serializer: type[serializers.Serializer]
) -> Response:
    """One page of ``queryset``, serialized, with the paginator's ``count``/``next``/``previous``."""
    paginator = PagePagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)
