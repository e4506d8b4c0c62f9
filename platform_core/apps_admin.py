from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    default_site = "platform_core.admin_site.PlatformAdminSite"
