"""The append-only, hash-chained audit log (AUD-1)."""

from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from platform_core import clock
from platform_core.audit.chain import chain_key, entry_digest

#: the columns an entry states; the sealer may not change them (the append-only trigger compares them)
_CONTENT_COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_repr",
    "action",
    "subject_type_id",
    "subject_id",
    "subject_repr",
    "before",
    "after",
    "reason",
    "key_id",
    "mac",
)
_CONTENT_COLUMNS_NEW = ", ".join(f"NEW.{c}" for c in _CONTENT_COLUMNS)
_CONTENT_COLUMNS_OLD = ", ".join(f"OLD.{c}" for c in _CONTENT_COLUMNS)


class AuditEntry(models.Model):
    """One thing that happened: who, when, to what, and the state before and after.

    Written only by ``audit_record`` inside the acting transaction; never updated or deleted (on PostgreSQL
    a trigger refuses both). ``prev_hash`` is unique, so two entries can never extend the same one: the
    chain cannot fork even if the append lock were bypassed.
    """

    at = models.DateTimeField(_("at"), default=clock.now)
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
    # AUD-1 (issue 26): written without any lock; the sealer (``audit_seal``) later gives the entry its place
    # in the chain (``seq``, counted by the sealer, so rolled-back writers leave no gap) and the chained hash.
    # NULL until sealed; then set once (the append-only trigger allows exactly that one update).
    seq = models.BigIntegerField(_("sequence"), null=True, blank=True, unique=True, editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, unique=True, null=True, blank=True)
    hash = models.CharField(_("hash"), max_length=64, unique=True, null=True, blank=True)
    # AUD-1: HMAC of the content alone, computed by the writer: the sealer chains only what the platform
    # wrote (a row inserted by SQL without the key gets chained but never verifies)
    mac = models.CharField(_("content MAC"), max_length=64, default="", editable=False)
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
            # the sealer's queue: committed entries not yet in the chain
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed_idx"),
        ]
        triggers = [
            # Never deleted; updated once only, by the sealer: seq, prev_hash and hash from NULL to a value,
            # nothing else changed.
            pgtrigger.Trigger(
                name="append_only",
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func=f"""
                IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL
                    AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
                    AND ({_CONTENT_COLUMNS_NEW}) IS NOT DISTINCT FROM ({_CONTENT_COLUMNS_OLD}) THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;
                """,
            ),
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
        return gettext("Audit entry #%(id)s: %(action)s") % {"id": self.pk, "action": self.action}

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
        (None when no configured key has that id, or the entry is not sealed yet)."""
        if self.prev_hash is None:
            return None
        return self._digest(self.prev_hash)

    def compute_mac(self) -> str | None:
        """AUD-1: the content MAC the writer gives the entry (the digest with an empty previous hash)."""
        return self._digest("")

    def _digest(self, prev_hash: str) -> str | None:
        key = chain_key(self.key_id)
        if key is None:
            return None
        return entry_digest(
            key=key,
            key_id=self.key_id,
            prev_hash=prev_hash,
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
