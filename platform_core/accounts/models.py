"""Every person is a User: customers, merchant members, staff and auditors alike; roles are groups."""

from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from platform_core import clock
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
    date_joined = models.DateTimeField(_("date joined"), default=clock.now)
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
        return self.name or self.email or self.phone or gettext("User #%(id)s") % {"id": self.pk}

    def has_role(self, role: str) -> bool:
        return self.groups.filter(name=role).exists()

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Issue 20 item 7: a changed password (``set_password`` then ``save``: the user's own change, a reset,
        an administrator's) revokes every API token of the account. Sessions signed in before the change
        end by themselves: Django checks each session's password hash on every request."""
        password_changed = self._password is not None and not self._state.adding  # type: ignore[attr-defined]
        super().save(*args, **kwargs)
        if password_changed:
            AuthToken.objects.filter(user=self).delete()


class BasicPermission(models.TextChoices):
    """USR-1: what every user may do; restricted only by a penalty with a reason (``UserRestriction``)."""

    BROWSE = "browse", _("Browse listings and shops")
    SEARCH = "search", _("Search")
    REVIEW = "review", _("Post reviews")
    COMMENT = "comment", _("Post comments")
    LIKE = "like", _("Like reviews")
    FAVOURITE = "favourite", _("Favourite listings")
    FOLLOW = "follow", _("Follow shops")


class UserRestriction(models.Model):
    """USR-1: a penalty restricting one basic permission of a user for a time, always with a reason.

    Created and lifted only through ``accounts.services``; the row stays as the record of the penalty.
    """

    user = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="restrictions", verbose_name=_("user")
    )
    permission = models.CharField(_("basic permission"), max_length=16, choices=BasicPermission.choices)
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(_("starts at"), default=clock.now)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True, help_text=_("Empty: until lifted."))
    imposed_by = models.ForeignKey(
        "User", null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("imposed by")
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("lifted by")
    )

    class Meta:
        verbose_name = _("user restriction")
        verbose_name_plural = _("user restrictions")
        ordering = ("-starts_at", "-id")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="user_restriction_has_reason"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="user_restriction_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(user)s: %(permission)s restricted") % {
            "user": self.user,
            "permission": self.get_permission_display(),
        }

    def is_in_force(self, at: datetime) -> bool:
        return self.lifted_at is None and self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


class PrivacySettings(models.Model):
    """USR-1, USR-2: a user's privacy choices; created with the defaults on first read.

    Options beyond the defaults (``PRIVACY_BEYOND_DEFAULTS``) need ``staff.user_privacy_beyond_defaults``.
    """

    DEFAULTS: ClassVar[dict[str, bool]] = {
        "show_purchase_history": False,
        "allow_follow": True,
        "personalised_recommendations": True,
    }

    user = models.OneToOneField(
        "User", on_delete=models.CASCADE, related_name="privacy_settings", verbose_name=_("user")
    )
    show_purchase_history = models.BooleanField(_("show my purchase history on my reviews"), default=False)
    allow_follow = models.BooleanField(_("others may follow me"), default=True)
    personalised_recommendations = models.BooleanField(_("personalised recommendations"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("privacy settings")
        verbose_name_plural = _("privacy settings")

    def __str__(self) -> str:
        return gettext("Privacy settings of %(user)s") % {"user": self.user}


# USR-2: (option, value) pairs only holders of ``staff.user_privacy_beyond_defaults`` may choose. Turning off
# personalised recommendations is open to everyone (PIPL Art. 24), and so is showing one's purchases.
PRIVACY_BEYOND_DEFAULTS: frozenset[tuple[str, bool]] = frozenset({("allow_follow", False)})
PRIVACY_BEYOND_DEFAULTS_PERMISSION = "staff.user_privacy_beyond_defaults"


class TokenSecondFactor(models.Model):
    """SEC-3 (decision 020): an API token of a staff account whose holder then passed the second factor.

    A staff or auditor token without this row authenticates nothing but the verification itself (and
    logging out); the row goes with its token (logout, expiry, password change, STF-3 revocation).
    """

    token = models.OneToOneField(
        "knox.AuthToken",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="second_factor",
        verbose_name=_("API token"),
    )
    device_id = models.CharField(_("device"), max_length=255, help_text=_("The OTP device that verified it."))
    verified_at = models.DateTimeField(_("verified at"), default=clock.now)

    class Meta:
        verbose_name = _("token second factor")
        verbose_name_plural = _("token second factors")

    def __str__(self) -> str:
        return gettext("Second factor of token %(token)s…") % {"token": self.token_id[:8]}
