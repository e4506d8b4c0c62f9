"""The append-only, hash-chained audit log (AUD-1)."""

from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from platform_core.audit.chain import chain_key, entry_digest


class AuditEntry(models.Model):
    """One thing that happened: who, when, to what, and the state before and after.

    Written only by ``audit_record`` inside the acting transaction; never updated or deleted (on PostgreSQL
    a trigger refuses both). ``prev_hash`` is unique, so two entries can never extend the same one: the
    chain cannot fork even if the append lock were bypassed.
    """

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField(_("actor"), max_length=255)
    action = models.CharField(_("action"), max_length=100)
    subject_type = models.ForeignKey(
        ContentType,
        verbose_name=_("subject type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # NULL, not "": an entry about nothing in particular (subject_type NULL too) has no subject id at all.
    subject_id = models.CharField(_("subject id"), max_length=64, null=True, blank=True)  # noqa: DJ001
    subject_repr = models.CharField(_("subject"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # AUD-1: the id of the AUDIT_CHAIN_KEYS key the hash was computed with (rotation)
    key_id = models.CharField(_("key id"), max_length=32, default="", editable=False)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx"),
            models.Index(fields=["action"], name="audit_action_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            # AUD-1: TRUNCATE fires no row trigger; a statement-level one refuses it.
            pgtrigger.Trigger(
                name="no_truncate",
                when=pgtrigger.Before,
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                func="RAISE EXCEPTION 'pgtrigger: Cannot truncate the % table (AUD-1)', TG_TABLE_NAME;",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.subject_repr}".rstrip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            # Refused here on every database; on PostgreSQL the trigger also refuses bulk updates and raw SQL.
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit entries are append-only.")

    @property
    def subject_type_label(self) -> str | None:
        if self.subject_type_id is None:
            return None
        content_type = ContentType.objects.get_for_id(self.subject_type_id)  # cached per process
        return f"{content_type.app_label}.{content_type.model}"

    def compute_hash(self) -> str | None:
        """The hash this entry must carry, given its fields, ``prev_hash`` and the key ``key_id`` names
        (None when no configured key has that id: the entry cannot be verified)."""
        key = chain_key(self.key_id)
        if key is None:
            return None
        return entry_digest(
            key=key,
            key_id=self.key_id,
            prev_hash=self.prev_hash,
            at=self.at,
            actor_id=self.actor_id,
            actor_repr=self.actor_repr,
            action=self.action,
            subject_type=self.subject_type_label,
            subject_id=self.subject_id,
            subject_repr=self.subject_repr,
            before=self.before,
            after=self.after,
            reason=self.reason,
        )
