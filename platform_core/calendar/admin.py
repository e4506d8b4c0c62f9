from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from platform_core.calendar.models import Holiday


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
class HolidayAdmin(admin.ModelAdmin):
    """Operations staff keep the business calendar: PRC holidays and make-up working days (调休)."""

    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind", YearListFilter)
    search_fields = ("name",)
    ordering = ("-date",)

    @admin.display(description=_("weekday"))
    def weekday(self, obj: Holiday) -> str:
        return date_format(obj.date, "l")  # translated weekday name
