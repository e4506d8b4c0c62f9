from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # MER-8: open or unsettled orders keep a merchant from closing.
        from merchants.services import CLOSURE_CHECKS
        from orders.selectors import order_closure_pending

        if order_closure_pending not in CLOSURE_CHECKS:
            CLOSURE_CHECKS.append(order_closure_pending)

        # REP-3, VIO-6: orders paid, shipments, late and carrier-tracked shipments feed credit and KPIs.
        from merchants.selectors import KPI_SOURCES
        from orders.selectors import order_kpi_figures

        if order_kpi_figures not in KPI_SOURCES:
            KPI_SOURCES.append(order_kpi_figures)

        # USR-4, ORD-8: open orders hold back account deletion; deletion anonymises the trade records.
        from orders.selectors import customer_open_orders_reason
        from orders.services import orders_anonymise_customer
        from platform_core.accounts.services import (
            ACCOUNT_ANONYMISERS,
            ACCOUNT_DELETION_CHECKS,
            hook_register,
        )

        hook_register(ACCOUNT_DELETION_CHECKS, customer_open_orders_reason)
        hook_register(ACCOUNT_ANONYMISERS, orders_anonymise_customer)

        # REP-3: the detailed seller ratings of reviews feed the merchant's credit score; REP-1 (issue 5):
        # the listing detail shows the listing's review summary.
        from catalog.selectors import LISTING_REVIEW_SUMMARY
        from merchants.selectors import RATING_SOURCES
        from orders.selectors import listing_review_summary, review_rating_buckets

        hook_register(RATING_SOURCES, review_rating_buckets)
        hook_register(LISTING_REVIEW_SUMMARY, listing_review_summary)
