"""The admin site: staff need a verified second factor (SEC-3) unless ``ADMIN_REQUIRE_OTP`` is off (demo)."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django_otp.admin import OTPAdminSite


class PlatformAdminSite(OTPAdminSite):
    site_header = "平台运营后台 / Marketplace operations"
    site_title = "Marketplace admin"
    index_title = "运营工作台 / Operations console"

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.ADMIN_REQUIRE_OTP:
            return super().has_permission(request)
        return admin.AdminSite.has_permission(self, request)
