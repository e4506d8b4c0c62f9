from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from platform_core.accounts.acting import request_user
from platform_core.admin_site import ServiceAdmin
from platform_core.calendar.models import Holiday
from platform_core.calendar.services import HOLIDAY_FIELDS, holiday_delete, holiday_save

#: the request attribute that carries the count of moved clocks from the service call to the success message
_CLOCKS_MOVED = "_calendar_clocks_moved"


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
    clocks started afterwards count with it, and running ones over the changed day move (decision 048)."""

    list_display = ("date", "weekday", "kind", "name")
    list_filter = ("kind", YearListFilter)
    search_fields = ("name",)
    ordering = ("-date",)
    fields = HOLIDAY_FIELDS

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Holiday:
        holiday, moved = holiday_save(holiday=None, data=data, actor=request_user(request))
        self._clocks_moved(request, moved)
        return holiday

    def update(self, request: HttpRequest, obj: Holiday, data: dict[str, Any]) -> Holiday:
        holiday, moved = holiday_save(holiday=obj, data=data, actor=request_user(request))
        self._clocks_moved(request, moved)
        return holiday

    def delete(self, request: HttpRequest, obj: Holiday) -> None:
        self._clocks_moved(request, holiday_delete(holiday=obj, actor=request_user(request)))

    def _clocks_moved(self, request: HttpRequest, moved: int) -> None:
        """Remember for the success message how many running clocks this request's changes moved."""
        setattr(request, _CLOCKS_MOVED, getattr(request, _CLOCKS_MOVED, 0) + moved)

    def message_user(
        self, request: HttpRequest, message: Any, level: int | str = messages.INFO, *args: Any, **kwargs: Any
    ) -> None:
        """Decision 048: the success message says how many running working-day clocks the change moved."""
        moved = getattr(request, _CLOCKS_MOVED, None)
        if moved is not None and level == messages.SUCCESS:
            delattr(request, _CLOCKS_MOVED)
            moved_text = ngettext(
                "%(count)d running working-day deadline moved to the new calendar.",
                "%(count)d running working-day deadlines moved to the new calendar.",
                moved,
            ) % {"count": moved}
            message = format_html("{} {}", message, moved_text)
        super().message_user(request, message, level, *args, **kwargs)

    @admin.display(description=_("weekday"))
    def weekday(self, obj: Holiday) -> str:
        return date_format(obj.date, "l")  # translated weekday name
