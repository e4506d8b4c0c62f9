from celery import shared_task

from platform_core.api.services import idempotency_keys_purge


@shared_task(name="api.purge_idempotency_keys")
def purge_idempotency_keys_task() -> int:
    return idempotency_keys_purge()
