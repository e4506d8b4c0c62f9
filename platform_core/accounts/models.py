"""Every person is a User: customers, merchant members, staff and auditors alike; roles are groups."""

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from platform_core.accounts.validators import normalise_mobile, validate_mainland_mobile


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(
        self, *, email: str | None, phone: str | None, password: str | None, **extra: Any
    ) -> "User":
        if not email and not phone:
            raise ValueError("A user needs a phone number or an email address.")
        user = self.model(
            email=self.normalize_email(email) if email else None,
            phone=normalise_mobile(phone) if phone else None,
            **extra,
        )
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str | None = None, password: str | None = None, *, phone: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email=email, phone=phone, password=password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email=email, phone=extra.pop("phone", None), password=password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get_by_login(username or "")

    def get_by_login(self, login: str) -> "User":
        """The phone number or the email address a person signs in with (case-insensitive email)."""
        from platform_core.accounts.validators import looks_like_mobile

        if looks_like_mobile(login):
            return self.get(phone=normalise_mobile(login))
        return self.get(email__iexact=login.strip())


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True, null=True, blank=True)
    phone = models.CharField(
        _("mobile number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mainland_mobile],
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Can log into the admin."))
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False) | Q(anonymised_at__isnull=False),
                name="user_has_phone_or_email",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"user #{self.pk}"

    def has_role(self, role: str) -> bool:
        return self.groups.filter(name=role).exists()
