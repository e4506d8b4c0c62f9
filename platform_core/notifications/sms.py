"""The SMS gateway behind an interface (OPS-3): ``settings.NOTIFICATIONS_SMS_BACKEND`` names the class.

A real provider's backend implements ``SmsBackend.send``; the sandbox records messages in ``SandboxSms``
so that tests and the local demo can read what would have been sent.
"""

import uuid

from django.conf import settings
from django.utils.module_loading import import_string

from platform_core.notifications.models import SandboxSms


class SmsError(Exception):
    """The gateway did not accept the message; delivery is retried later."""


class SmsBackend:
    def send(self, phone: str, text: str) -> str:
        """Send ``text`` to ``phone``; return the provider's message id. Raise ``SmsError`` on failure."""
        raise NotImplementedError


class SandboxSmsBackend(SmsBackend):
    """Records the message instead of sending it.

    To exercise retries, set ``SandboxSmsBackend.fail_with = "reason"`` (in-process tests) or the setting
    ``NOTIFICATIONS_SMS_SANDBOX_FAIL = True``: every send then raises ``SmsError``.
    """

    fail_with: str | None = None

    def send(self, phone: str, text: str) -> str:
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
