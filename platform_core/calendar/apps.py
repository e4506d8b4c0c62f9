from django.apps import AppConfig


class CalendarConfig(AppConfig):
    name = "platform_core.calendar"
    label = "business_calendar"
    default_auto_field = "django.db.models.BigAutoField"
