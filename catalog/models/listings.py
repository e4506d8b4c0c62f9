"""The catalog: categories, listings and their reviewed versions, SKUs and stock, the banned-term list
(CAT-1 … CAT-5, CAT-8); oversight of listings on sale (inspections, re-checks, IP notices) is in `oversight`.

Models hold fields, constraints and state transitions only; every write goes through
``catalog.services``.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from merchants.models import Merchant
from platform_core import clock


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    slug = models.SlugField(unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # MER-1, MER-7: industry licences a merchant needs to list here (document kinds, e.g. "food_licence")
    required_document_kinds = models.JSONField(default=list, blank=True)
    # MER-5: the security deposit a merchant must hold to list here
    deposit_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    # PAY-4: the platform's commission on settled orders, as a fraction (0.05 = 5 %)
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0500"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    # AFS-2: excluded from seven-day no-reason returns (custom-made, fresh, digital, periodicals)
    no_reason_return_excluded = models.BooleanField(default=False)
    # AFS-3: after-sales response window is 48 h instead of 24 h (large items etc.)
    aftersales_special = models.BooleanField(default=False)
    is_service = models.BooleanField(_("services (not goods)"), default=False)
    # CAT-3: listing fields that must be filled in this category, beyond title/description/price
    # (names from ``Listing.OPTIONAL_REQUIRABLE_FIELDS``, e.g. ["images", "service_area"])
    required_listing_fields = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = _("categories")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


# --- transition conditions (named, so that the admin and 409 answers can say why) --------------------


def search_text_of(version: Any) -> str:
    """CAT-8: what a text search matches for a listing whose live version is ``version``: the title on the
    first line (its own line breaks turned into spaces: the ranking reads the title as that line,
    ``catalog.ranking.title_expression``), then the description."""
    title = " ".join(version.title.splitlines())
    return f"{title}\n{version.description}"


def is_on_sale(listing: Any) -> bool:
    return listing.on_sale


def has_approved_version(listing: Any) -> bool:
    return listing.live_version_id is not None


class Listing(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """CAT-1, CAT-2: a product or service a merchant offers, and where it stands in review.

    Design of the reviewed content (CAT-2: customers never see unreviewed text): everything a customer
    reads — title, description, images with their alt texts, category and the reviewed price range —
    lives in an immutable ``ListingVersion``. The listing points at two of them:

    - ``live_version``: the last approved version, the only one customers are shown;
    - ``candidate_version``: the version being written (draft) or waiting for review (pending).

    Editing a reviewed field of an approved listing writes a *new* pending version and leaves
    ``live_version`` untouched, so the old text stays on sale until a reviewer approves the new one,
    which then simply replaces the pointer. A version, once submitted, is never edited again: the
    reviewer's decision is about exactly the text that was submitted, and the version history is the
    record of what was shown when (a copy-on-write history rather than draft columns on the listing,
    which could not keep more than one pending change or the history of rejected texts).

    ``status`` is the review lifecycle; ``on_sale`` says whether customers may buy the live version.
    They differ during a re-review (``pending_review`` while the approved text stays on sale) and
    after a rejected relisting. Operational fields that are not reviewed (stock, service area,
    the non-returnable flag) live on the listing and its SKUs.
    """

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        SERVICE = "service", _("Service")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_REVIEW = "pending_review", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DELISTED = "delisted", _("Delisted")

    class DelistSource(models.TextChoices):
        MERCHANT = "merchant", _("Merchant")
        STAFF = "staff", _("Staff takedown")
        INSPECTION = "inspection", _("Failed inspection")
        IP_NOTICE = "ip_notice", _("IP notice")
        DOCUMENT_EXPIRED = "document_expired", _("Required document expired")
        RECHECK = "recheck", _("Error found on re-check not corrected")

    #: fields a category may require (CAT-3) in addition to title, description and a priced SKU
    OPTIONAL_REQUIRABLE_FIELDS = ("images", "service_area", "service_duration_minutes")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="listings")
    # The category customers see (the live version's); a pending version may propose another.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="listings")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PRODUCT)
    service_area = models.CharField(_("service area"), max_length=200, blank=True)
    service_duration_minutes = models.PositiveIntegerField(
        _("service duration (minutes)"), null=True, blank=True
    )
    # AFS-2: the customer confirms this at purchase (7DR Art. 6-7)
    is_non_returnable = models.BooleanField(
        _("non-returnable (customer confirms at purchase)"), default=False
    )
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, protected=True
    )
    on_sale = models.BooleanField(_("on sale"), default=False)
    live_version = models.ForeignKey(
        "ListingVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    candidate_version = models.ForeignKey(
        "ListingVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Denormalised from the active SKUs' live prices (services keep them current) for filter and sort.
    price_min = models.DecimalField(_("lowest price"), **MONEY, null=True, blank=True)
    price_max = models.DecimalField(_("highest price"), **MONEY, null=True, blank=True)
    sales_count = models.PositiveIntegerField(_("units sold"), default=0)
    # CAT-8 (decision 008, issue 26): the live version's title and description, copied when a version goes
    # live (``approve``), so that a text search reads one table through one trigram index
    # (``listing_search_trgm``, migration 0011, PostgreSQL only) instead of probing every live version.
    search_text = models.TextField(default="", db_default="", blank=True, editable=False)
    delist_source = models.CharField(max_length=32, choices=DelistSource.choices, blank=True)
    delist_reason = models.CharField(_("delisting reason"), max_length=500, blank=True)
    review_escalated_at = models.DateTimeField(null=True, blank=True)
    # CAT-9: listed by operations staff on behalf of a partner merchant (assisted listing). The staff
    # member who assisted last; every assisting step is a ``ListingAssist`` row (the four-eyes check).
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assisted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assisted_at = models.DateTimeField(_("assisted at"), null=True, blank=True)
    # CAT-9: when the partner (or staff, after checking with it) last confirmed the stock figures of an
    # assisted listing; ``None`` until first confirmed. Unconfirmed for 7 days prompts operations.
    stock_confirmed_at = models.DateTimeField(_("stock confirmed at"), null=True, blank=True)
    stock_prompted_at = models.DateTimeField(_("stock check prompted at"), null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        permissions = [
            ("review_listing", "Can approve or reject listings (CAT-2)"),
            ("takedown_listing", "Can take listings down (CAT-2, CAT-7)"),
            ("inspect_listing", "Can run quality inspections (CAT-6)"),
            ("assist_listing", "Can list on behalf of a partner merchant (CAT-9)"),
        ]
        indexes = [
            models.Index(fields=["merchant", "status"], name="listing_merchant_status_idx"),
            models.Index(
                fields=["category", "price_min"], condition=Q(on_sale=True), name="listing_onsale_cat_price"
            ),
            models.Index(fields=["-sales_count"], condition=Q(on_sale=True), name="listing_onsale_sales"),
            # CAT-8 (decision 008, s8f): a search of a common term sorted by price walks the listings in
            # price order and stops after a page, instead of sorting every match
            models.Index(fields=["price_min"], condition=Q(on_sale=True), name="listing_onsale_price"),
            # CAT-8 (decision 051): the rescore window of a common term within a category, the best sellers
            # first, walked in order
            models.Index(
                fields=["category", "-sales_count"],
                condition=Q(on_sale=True),
                name="listing_onsale_cat_sales",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_sale=False) | Q(live_version__isnull=False),
                name="listing_on_sale_has_live_version",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Listing #%(id)s") % {"id": self.pk}

    @property
    def is_service(self) -> bool:
        return self.kind == self.Kind.SERVICE

    @property
    def is_assisted(self) -> bool:
        return self.assisted_at is not None

    # CAT-2 lifecycle --------------------------------------------------------------------------------

    @transition(field=status, source=[Status.DRAFT, Status.REJECTED], target=Status.PENDING_REVIEW)
    def submit(self) -> None:
        """First review, or another try after a rejection."""

    @transition(field=status, source=Status.APPROVED, target=Status.PENDING_REVIEW, conditions=[is_on_sale])
    def revise(self) -> None:
        """A reviewed field changed: back to review while the live version stays on sale."""

    @transition(field=status, source=Status.DELISTED, target=Status.PENDING_REVIEW)
    def relist(self) -> None:
        """Back on sale only through review."""

    @transition(field=status, source=Status.PENDING_REVIEW, target=Status.APPROVED)
    def approve(self, *, version: "ListingVersion") -> None:
        self.live_version = version
        self.search_text = search_text_of(version)
        self.candidate_version = None
        self.category_id = version.category_id
        self.on_sale = True
        self.delist_source, self.delist_reason = "", ""
        self.review_escalated_at = None

    @transition(
        field=status,
        source=Status.PENDING_REVIEW,
        target=RETURN_VALUE(Status.APPROVED, Status.REJECTED),
    )
    def reject(self) -> str:
        """A rejected re-review leaves the approved version on sale; otherwise the listing is rejected."""
        self.candidate_version = None
        self.review_escalated_at = None
        return self.Status.APPROVED if self.on_sale else self.Status.REJECTED

    @transition(
        field=status,
        source=[Status.APPROVED, Status.PENDING_REVIEW],
        target=Status.DELISTED,
        conditions=[is_on_sale],
    )
    def delist(self, *, source: str, reason: str) -> None:
        self.on_sale = False
        self.candidate_version = None
        self.delist_source, self.delist_reason = source, reason

    @transition(
        field=status, source=Status.DELISTED, target=Status.APPROVED, conditions=[has_approved_version]
    )
    def restore(self) -> None:
        """CAT-7: an IP takedown that was not upheld ends; the approved version returns to sale."""
        self.on_sale = True
        self.delist_source, self.delist_reason = "", ""


class ListingVersion(models.Model):
    """CAT-2: one immutable text of a listing, as written, submitted and reviewed.

    Only a ``draft`` version is edited (in place). ``findings`` holds the soft pre-screen findings
    (CAT-3) for the reviewer, ``changed_fields`` what differs from the live version (the re-review diff).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Superseded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class RejectReason(models.TextChoices):
        """CAT-2, issue 21 (decisions 040, 047): why a reviewer rejected the version; stored as a code, shown
        in the reader's language (``review_feedback``), with the reviewer's details in ``review_note``."""

        BANNED_CLAIMS = "banned_claims", _("Banned or absolute claims (Advertising Law)")
        NOT_AS_DESCRIBED = "not_as_described", _("Description does not match the goods or the images")
        IMAGES = "images", _("Images unclear, missing or not of the goods")
        PRICE = "price", _("Implausible or misleading price")
        CATEGORY = "category", _("Wrong category")
        LICENCE = "licence", _("Licence or qualification for this category missing")
        PROHIBITED = "prohibited", _("Prohibited or restricted item")
        OTHER = "other", _("Other")

    REVIEWED_FIELDS = ("title", "description", "images", "category", "price")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # [{"url": "...", "alt": "..."}]; alt texts are pre-screened like the title
    images = models.JSONField(_("images"), default=list, blank=True)
    # The price range reviewed with this text (CAT-2: a change over 50 % is reviewed again)
    price_min = models.DecimalField(**MONEY, null=True, blank=True)
    price_max = models.DecimalField(**MONEY, null=True, blank=True)
    # {sku_id: "price"}: price changes over 50 % waiting for this review
    proposed_prices = models.JSONField(default=dict, blank=True)
    findings = models.JSONField(default=list, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: a rejection's reason (blank otherwise); ``review_note``: the approval's note or the rejection's details
    reject_reason = models.CharField(
        _("reason for rejection"), max_length=32, choices=RejectReason.choices, blank=True
    )
    review_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["listing_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "number"], name="listing_version_number_once")
        ]
        indexes = [
            models.Index(
                fields=["submitted_at"], condition=Q(status="pending"), name="listing_version_queue_idx"
            ),
            # CAT-8: the pg_trgm GIN indexes on UPPER(title) / UPPER(description) are created by
            # migration 0003 on PostgreSQL only (SQLite has no GIN); see catalog.selectors.
        ]

    def __str__(self) -> str:
        return gettext("%(title)s (version %(number)s, %(status)s)") % {
            "title": self.title,
            "number": self.number,
            "status": self.get_status_display(),
        }

    @property
    def review_feedback(self) -> str:
        """What the merchant reads about the decision, in the reader's language: a rejection's reason and the
        reviewer's details ("other": the details alone), or an approval's note."""
        if not self.reject_reason or self.reject_reason == self.RejectReason.OTHER:
            return self.review_note
        label = str(self.get_reject_reason_display())
        if not self.review_note:
            return label
        return gettext("%(reason)s: %(details)s") % {"reason": label, "details": self.review_note}

    @property
    def image_alts(self) -> list[str]:
        return [str(image.get("alt", "")) for image in self.images if isinstance(image, dict)]


class ListingReview(ListingVersion):
    """CAT-4: the review queue in the admin (pending versions, oldest first)."""

    class Meta:
        proxy = True
        verbose_name = _("listing review")
        verbose_name_plural = _("listing review queue")


class Sku(models.Model):
    """CAT-1, CAT-5: a variant with its own price and stock. Stock never goes below zero (DB CHECK)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(_("SKU code"), max_length=64)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    price = models.DecimalField(_("price"), **MONEY)
    #: CAT-4: the price a reviewer last saw (set when a version is approved); a change of more than
    #: CATALOG_PRICE_CHANGE_REVIEW_RATIO against it goes to review, so small steps cannot walk around it
    reviewed_price = models.DecimalField(_("last reviewed price"), **MONEY, null=True, blank=True)
    stock = models.IntegerField(_("stock"), default=0)
    is_active = models.BooleanField(default=True)
    stock_updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["listing_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "code"], name="sku_code_once_per_listing"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="sku_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="sku_price_positive"),
        ]

    def __str__(self) -> str:
        return gettext("%(code)s (listing #%(listing)s)") % {"code": self.code, "listing": self.listing_id}


class ListingAssist(models.Model):
    """CAT-9: one step an operations staff member took on behalf of the partner merchant (created the
    listing, edited it, confirmed its stock after checking with the partner). Append-only; whoever
    assisted a listing may not approve it (four eyes)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created the listing")
        EDITED = "edited", _("Edited the listing")
        STOCK_CONFIRMED = "stock_confirmed", _("Confirmed the stock with the partner")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="assists")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    at = models.DateTimeField(default=clock.now)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["listing_id", "at", "pk"]
        verbose_name = _("assisted-listing step")
        verbose_name_plural = _("assisted-listing steps")

    def __str__(self) -> str:
        return gettext("%(action)s on listing #%(listing)s by staff #%(staff)s") % {
            "action": self.get_action_display(),
            "listing": self.listing_id,
            "staff": self.staff_id,
        }


class BannedTerm(models.Model):
    """CAT-3: a phrase the pre-screen looks for. Hard terms block submission; soft ones are flagged."""

    class Severity(models.TextChoices):
        HARD = "hard", _("Hard ban (blocks submission)")
        SOFT = "soft", _("Soft (flag for the reviewer)")

    phrase = models.CharField(_("phrase"), max_length=100, unique=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.SOFT)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["severity", "phrase"]

    def __str__(self) -> str:
        return gettext("%(phrase)s (%(severity)s)") % {
            "phrase": self.phrase,
            "severity": self.get_severity_display(),
        }
