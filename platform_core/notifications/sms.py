"""The SMS gateway behind an interface (OPS-3): ``settings.NOTIFICATIONS_SMS_BACKEND`` names the class.

A real provider's backend implements ``SmsBackend.send`` (Aliyun SMS: ``platform_core.notifications.
aliyun_sms``); the sandbox records messages in ``SandboxSms`` so that tests and the local demo can read
what would have been sent (development only: production refuses it, decision 024). ``SmsError`` is a
failure worth retrying (the outbox backs off, or waits ``retry_after`` if the provider says how long);
``SmsUndeliverable`` one that retrying cannot fix (an invalid number): the row fails at once.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.utils.module_loading import import_string

from platform_core.notifications.models import SandboxSms


class SmsError(Exception):
    """The gateway did not accept the message; delivery is retried later (not before ``retry_after``)."""

    def __init__(self, message: str, *, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SmsUndeliverable(SmsError):
    """The message can never be delivered as it stands (invalid number, SMS disabled): no retry."""


class SmsBackend:
    def send(self, phone: str, text: str, *, event: str = "", params: dict[str, str] | None = None) -> str:
        """Send ``text`` to ``phone`` (a provider with templates sends ``event``'s template filled with
        ``params``); return the provider's message id. Raise ``SmsError`` on failure."""
        raise NotImplementedError


class NoSmsBackend(SmsBackend):
    """A deployment without SMS (chosen explicitly): SMS rows fail at once, visibly, in the outbox."""

    def send(self, phone: str, text: str, *, event: str = "", params: dict[str, str] | None = None) -> str:
        raise SmsUndeliverable("SMS is not enabled in this deployment (NOTIFICATIONS_SMS_BACKEND)")


class SandboxSmsBackend(SmsBackend):
    """Records the message instead of sending it.

    To exercise retries, set ``SandboxSmsBackend.fail_with = "reason"`` (in-process tests) or the setting
    ``NOTIFICATIONS_SMS_SANDBOX_FAIL = True``: every send then raises ``SmsError``.
    """

    fail_with: str | None = None

    def send(self, phone: str, text: str, *, event: str = "", params: dict[str, str] | None = None) -> str:
        reason = self.fail_with or (
            "sandbox told to fail" if settings.NOTIFICATIONS_SMS_SANDBOX_FAIL else None
        )
        if reason:
            raise SmsError(reason)
        message = SandboxSms.objects.create(phone=phone, text=text, message_id=f"sandbox-{uuid.uuid4().hex}")
        return message.message_id


def get_sms_backend() -> SmsBackend:
    backend_class: type[SmsBackend] = import_string(settings.NOTIFICATIONS_SMS_BACKEND)
    return backend_class()
