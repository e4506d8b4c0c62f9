from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.acting import request_user
from platform_core.admin_site import ServiceAdmin
from platform_core.calendar.models import Holiday
from platform_core.calendar.services import HOLIDAY_FIELDS, holiday_delete, holiday_save


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        years = Holiday.objects.dates("date", "year", order="DESC")
        return [(str(year.year), str(year.year)) for year in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> QuerySet[Holiday]:
        if self.value():
            return queryset.filter(date__year=self.value())
        return queryset


@admin.register(Holiday)
class HolidayAdmin(ServiceAdmin):
    """Operations staff keep the business calendar: PRC holidays and make-up working days (调休). Every
    addition, change and deletion goes through ``holiday_save`` / ``holiday_delete`` (audited); working-day
    clocks started afterwards count with it."""

    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind", YearListFilter)
    search_fields = ("name",)
    ordering = ("-date",)
    fields = HOLIDAY_FIELDS

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Holiday:
        return holiday_save(holiday=None, data=data, actor=request_user(request))

    def update(self, request: HttpRequest, obj: Holiday, data: dict[str, Any]) -> Holiday:
        return holiday_save(holiday=obj, data=data, actor=request_user(request))

    def delete(self, request: HttpRequest, obj: Holiday) -> None:
        holiday_delete(holiday=obj, actor=request_user(request))

    @admin.display(description=_("weekday"))
    def weekday(self, obj: Holiday) -> str:
        return date_format(obj.date, "l")  # translated weekday name
