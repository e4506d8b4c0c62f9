from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # MER-7: when a merchant's licence expires, its listings in categories needing it come down.
        from catalog.services import listings_suspend_for_document
        from merchants.services import DOCUMENT_EXPIRED_HANDLERS

        if listings_suspend_for_document not in DOCUMENT_EXPIRED_HANDLERS:
            DOCUMENT_EXPIRED_HANDLERS.append(listings_suspend_for_document)
