"""Structured logs: one JSON object per line, with request, user and task ids; personal data masked (SEC-2).

Wire with ``LOGGING`` (docs/deployment.md)::

    "filters": {"context": {"()": "platform_core.operations.logs.ContextFilter"},
                "mask": {"()": "platform_core.operations.logs.MaskPersonalDataFilter"}},
    "formatters": {"json": {"()": "platform_core.operations.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json",
                             "filters": ["context", "mask"]}},

The same ``request_id`` appears on the web request's lines and on the lines of every task it queued
(``signals.py`` carries it in the task headers), so one grep follows a request across hosts.
"""

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from platform_core.accounts.masking import mask_id_number, mask_phone
from platform_core.operations.context import current_user_id, request_id_var, task_id_var

# The attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged too.
_RECORD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "request_id", "user_id", "task_id"}
)

# Resident ID numbers (17 digits and a digit or X), mainland mobile numbers (11 digits from 1[3-9]),
# optionally +86; e-mail addresses. Digits touching other digits are not matched (order numbers etc.).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def mask_personal_data(text: str) -> str:
    """SEC-2: mask ID numbers, phone numbers and e-mail addresses found anywhere in ``text``."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``user_id`` and ``task_id`` from the current context to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = current_user_id()
        if getattr(record, "task_id", None) is None:
            record.task_id = task_id_var.get()
        return True


class MaskPersonalDataFilter(logging.Filter):
    """SEC-2: renders the message once, masked, and masks string ``extra=`` values and tracebacks too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw template rather than drop the line
            message = str(record.msg)
        record.msg, record.args = mask_personal_data(message), None
        for key, value in list(vars(record).items()):
            if key not in _RECORD_ATTRS and isinstance(value, str):
                setattr(record, key, mask_personal_data(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC, ISO 8601), level, logger, message, ids, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
            "user_id": getattr(record, "user_id", None),
            "task_id": getattr(record, "task_id", None) or task_id_var.get(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Development logs a person reads in a terminal (issue 24; ``LOG_FORMAT=text``, the default outside
    production): ``09:14:56 INFO  axes.apps  message  [req=… user=… task=…] key=value``, then the traceback.
    Production keeps ``JsonFormatter`` (one object per line for the log pipeline)."""

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")  # noqa: DTZ006  (the terminal's time)
        ids = {
            "req": getattr(record, "request_id", None) or request_id_var.get(),
            "user": getattr(record, "user_id", None),
            "task": getattr(record, "task_id", None) or task_id_var.get(),
        }
        extras = {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRS and not k.startswith("_")}
        line = f"{at} {record.levelname:<7} {record.name}  {record.getMessage()}"
        context = " ".join(f"{k}={v}" for k, v in ids.items() if v)
        if context:
            line += f"  [{context}]"
        if extras:
            line += "  " + " ".join(f"{k}={v}" for k, v in extras.items())
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + record.exc_text
        return line
