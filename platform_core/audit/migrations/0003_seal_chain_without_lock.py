# AUD-1, issue 26: writers append without the advisory lock and a sealer chains the committed entries.
# Existing entries are already chained in id order: they get seq 1, 2, 3 … in that order and their content
# MAC (the digest with an empty previous hash, under the key they name). The append-only trigger is
# replaced by one that also allows the sealer's single update; the data step runs between the two.

import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

from platform_core.audit.chain import chain_key, entry_digest


def seal_existing(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    seq = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        key = chain_key(entry.key_id)
        if key is None:
            raise RuntimeError(
                f"AUD-1: audit entry {entry.pk} names key id {entry.key_id!r}, not configured."
            )
        seq += 1
        mac = entry_digest(
            key=key,
            key_id=entry.key_id,
            prev_hash="",
            at=entry.at,
            actor_id=entry.actor_id,
            actor_repr=entry.actor_repr,
            action=entry.action,
            subject_type=labels.get(entry.subject_type_id) if entry.subject_type_id is not None else None,
            subject_id=entry.subject_id,
            subject_repr=entry.subject_repr,
            before=entry.before,
            after=entry.after,
            reason=entry.reason,
        )
        AuditEntry.objects.filter(pk=entry.pk).update(seq=seq, mac=mac)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_truncate_guard_keyed_chain"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name="auditentry",
            name="append_only",
        ),
        migrations.AddField(
            model_name="auditentry",
            name="mac",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="content MAC"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(
                blank=True, editable=False, null=True, unique=True, verbose_name="sequence"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True, verbose_name="hash"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(
                blank=True, max_length=64, null=True, unique=True, verbose_name="previous hash"
            ),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_unsealed_idx"
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="auditentry",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="\n                IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash IS NULL AND OLD.prev_hash IS NULL\n                    AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL\n                    AND (NEW.id, NEW.at, NEW.actor_id, NEW.actor_repr, NEW.action, NEW.subject_type_id, NEW.subject_id, NEW.subject_repr, NEW.before, NEW.after, NEW.reason, NEW.key_id, NEW.mac) IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor_id, OLD.actor_repr, OLD.action, OLD.subject_type_id, OLD.subject_id, OLD.subject_repr, OLD.before, OLD.after, OLD.reason, OLD.key_id, OLD.mac) THEN\n                    RETURN NEW;\n                END IF;\n                RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;\n                ",
                    hash="9f7f9eab2acc9a252e4b68d160260403b0fe53be",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_6cfb3",
                    table="audit_auditentry",
                    when="BEFORE",
                ),
            ),
        ),
    ]
