# AUD-1: TRUNCATE refused by a statement-level trigger; the chain becomes keyed (HMAC-SHA256 under
# settings.AUDIT_CHAIN_KEYS, the key id on each entry). Entries written before this migration carry the
# unkeyed SHA-256 chain: it is verified here first (the migration refuses a broken log) and then re-signed
# with the current key, with the append-only trigger off for this one transaction.

import hashlib
from datetime import UTC

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

from platform_core.audit.chain import GENESIS_HASH, canonical_json, entry_digest, signing_key

APPEND_ONLY = "audit.AuditEntry:append_only"


def _fields(entry, labels):
    label = labels.get(entry.subject_type_id) if entry.subject_type_id is not None else None
    return {
        "prev_hash": entry.prev_hash,
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor_repr": entry.actor_repr,
        "action": entry.action,
        "subject_type": label,
        "subject_id": entry.subject_id,
        "subject_repr": entry.subject_repr,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
    }


def _legacy_digest(fields):
    payload = [
        fields["prev_hash"],
        fields["at"].astimezone(UTC).isoformat(),
        fields["actor_id"],
        fields["actor_repr"],
        fields["action"],
        fields["subject_type"],
        fields["subject_id"],
        fields["subject_repr"],
        fields["before"],
        fields["after"],
        fields["reason"],
    ]
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def rekey(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not AuditEntry.objects.exists():
        return
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    key_id, key = signing_key()
    old_prev, new_prev = GENESIS_HASH, GENESIS_HASH
    entries = list(AuditEntry.objects.order_by("id"))
    for entry in entries:
        fields = _fields(entry, labels)
        if entry.prev_hash != old_prev or _legacy_digest(fields) != entry.hash:
            raise RuntimeError(
                f"AUD-1: the audit log is broken at entry {entry.pk} (unkeyed chain); it is not re-signed. "
                "Investigate with the previous release's verify_audit_log before migrating."
            )
        old_prev = entry.hash
        fields["prev_hash"] = new_prev
        entry.prev_hash, entry.hash, entry.key_id = new_prev, entry_digest(key=key, key_id=key_id, **fields), key_id
        new_prev = entry.hash
    with pgtrigger.ignore(APPEND_ONLY, databases=[schema_editor.connection.alias]):
        for entry in entries:
            AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=entry.hash, key_id=key_id)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(default="", editable=False, max_length=32, verbose_name="key id"),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="auditentry",
            trigger=pgtrigger.compiler.Trigger(
                name="no_truncate",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'pgtrigger: Cannot truncate the % table (AUD-1)', TG_TABLE_NAME;",
                    hash="5617fe8937dd0560a4feb5761242c22efa295713",
                    level="STATEMENT",
                    operation="TRUNCATE",
                    pgid="pgtrigger_no_truncate_f9722",
                    table="audit_auditentry",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
