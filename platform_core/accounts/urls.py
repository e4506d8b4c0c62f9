from django.urls import path

from platform_core.accounts import api

urlpatterns = [
    path("auth/register/", api.RegisterApi.as_view(), name="auth-register"),
    path("auth/login/", api.LoginApi.as_view(), name="auth-login"),
    path("auth/otp/verify/", api.SecondFactorVerifyApi.as_view(), name="auth-otp-verify"),
    path("auth/logout/", api.LogoutApi.as_view(), name="auth-logout"),
    path("auth/logout-all/", api.LogoutAllApi.as_view(), name="auth-logout-all"),
    path("me/", api.MeApi.as_view(), name="me"),
    path("me/privacy/", api.PrivacySettingsApi.as_view(), name="me-privacy"),
    path("me/delete/", api.AccountDeleteApi.as_view(), name="me-delete"),
]
