"""IP notice-and-takedown (CAT-7, ECL Art. 42-43)."""

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.clocks import IP_COUNTER_RULE
from catalog.models import IpNotice, Listing
from catalog.selectors import listing_visible_q
from catalog.services._common import _require_perm
from catalog.services.review import listing_delist, listing_restore
from merchants.models import Merchant, Violation
from merchants.services.violations import violation_record
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Conflict, InvalidInput, NotFound
from platform_core.locking import lock
from platform_core.notifications.services import notify
from platform_core.uploads import upload_sniff


def ip_notice_lock(*, notice_id: int) -> IpNotice:
    return lock(IpNotice.objects.select_related("listing__merchant"), notice_id, missing=_("No such notice."))


@transaction.atomic
def ip_notice_file(
    *,
    listing_id: int,
    rights_holder: User,
    right_kind: str,
    right_reference: str,
    description: str,
    proof: list[Any],
) -> IpNotice:
    """CAT-7 (ECL Art. 42): a rights holder files a notice with proof against a visible listing."""
    if not proof:
        raise InvalidInput(_("Proof of the right is required."), errors={"proof": [_("Required.")]})
    if not Listing.objects.filter(listing_visible_q(), pk=listing_id).exists():
        raise NotFound(_("No such listing."))
    notice = IpNotice.objects.create(
        listing_id=listing_id,
        rights_holder=rights_holder,
        right_kind=right_kind,
        right_reference=right_reference,
        description=description,
        proof=proof,
    )
    audit_record(actor=rights_holder, action="ip_notice.filed", subject=notice, after={"listing": listing_id})
    return notice


@transaction.atomic
def ip_notice_validate(*, notice: IpNotice, actor: User, note: str = "") -> IpNotice:
    """CAT-7: staff find the notice complete: the listing comes down and the notice is forwarded to
    the merchant, who may file a counter-notice."""
    _require_perm(actor, "catalog.takedown_listing")
    notice = ip_notice_lock(notice_id=notice.pk)
    notice.validate(by=actor, note=note)
    notice.save()
    listing = notice.listing
    if listing.on_sale:
        listing_delist(
            listing=listing,
            actor=actor,
            reason=_("IP notice #%(id)s: %(right)s %(ref)s")
            % {"id": notice.pk, "right": notice.right_kind, "ref": notice.right_reference},
            source=Listing.DelistSource.IP_NOTICE,
        )
    notify(
        recipient=listing.merchant.owner,
        event="ip_notice_forwarded",
        title=_("IP notice against your listing"),
        body=notice.description,
        subject=notice,
    )
    audit_record(actor=actor, action="ip_notice.validated", subject=notice, reason=note)
    return notice


@transaction.atomic
def ip_notice_dismiss(*, notice: IpNotice, actor: User, note: str, false_notice: bool = False) -> IpNotice:
    """CAT-7: staff dismiss an incomplete notice; a knowingly false one is recorded against the notifier."""
    _require_perm(actor, "catalog.takedown_listing")
    notice = ip_notice_lock(notice_id=notice.pk)
    notice.dismiss(by=actor, note=note)
    notice.is_false_notice = false_notice
    notice.save()
    audit_record(
        actor=actor,
        action="ip_notice.dismissed",
        subject=notice,
        after={"false_notice": false_notice},
        reason=note,
    )
    return notice


def _evidence_store(notice: IpNotice, files: Sequence[UploadedFile]) -> list[str]:
    """SEC-4: every uploaded evidence file checked by content and size before any is stored; their
    storage names, which join the counter-notice's proof references."""
    if len(files) > settings.CATALOG_IP_EVIDENCE_MAX_FILES:
        raise InvalidInput(
            _("At most %(n)d evidence files.") % {"n": settings.CATALOG_IP_EVIDENCE_MAX_FILES},
            code="too_many_files",
            errors={"evidence": [_("Too many files.")]},
        )
    types = [
        upload_sniff(f, max_bytes=settings.CATALOG_IP_EVIDENCE_MAX_BYTES, field="evidence") for f in files
    ]
    extensions = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
    return [
        default_storage.save(f"catalog/ip-counter/{notice.pk}/{uuid.uuid4().hex}{extensions[kind]}", file)
        for file, kind in zip(files, types, strict=True)
    ]


@transaction.atomic
def ip_notice_counter(
    *,
    notice: IpNotice,
    merchant: Merchant,
    statement: str,
    proof: list[Any],
    actor: User,
    evidence: Sequence[UploadedFile] = (),
) -> IpNotice:
    """CAT-7 (ECL Art. 43): the merchant's counter-notice (不侵权声明) is forwarded to the rights holder;
    unless the holder shows a complaint or lawsuit within 15 days, the listing is restored. The proof is
    references (the API) and/or evidence files uploaded in the seller centre (SEC-4)."""
    notice = ip_notice_lock(notice_id=notice.pk)
    if notice.listing.merchant_id != merchant.pk:
        raise NotFound(_("No such notice."))
    if not statement.strip() or not (proof or evidence):
        raise InvalidInput(_("A statement and proof are required."), errors={"proof": [_("Required.")]})
    if notice.status != IpNotice.Status.TAKEN_DOWN:
        raise Conflict(_("This notice cannot be answered now."), code="counter_not_open")
    proof = [*proof, *_evidence_store(notice, evidence)]
    notice.counter(statement=statement, proof=proof)
    notice.save()
    notify(
        recipient=notice.rights_holder,
        event="ip_counter_notice_forwarded",
        title=_("Counter-notice received"),
        body=statement,
        subject=notice,
    )
    deadline_start(rule=IP_COUNTER_RULE, subject=notice, after=settings.CATALOG_IP_COUNTER_NOTICE_WINDOW)
    audit_record(actor=actor, action="ip_notice.counter_noticed", subject=notice, after={"proof": len(proof)})
    return notice


@transaction.atomic
def ip_notice_action_proof(*, notice: IpNotice, proof: list[Any], actor: User) -> IpNotice:
    """CAT-7 (ECL Art. 43), VIO-1: the rights holder shows a complaint or lawsuit in time: the takedown
    stands, and an ``ip_infringement`` violation is recorded against the merchant (source ``system``)."""
    notice = ip_notice_lock(notice_id=notice.pk)
    if notice.rights_holder_id != actor.pk:
        raise NotFound(_("No such notice."))
    if not proof:
        raise InvalidInput(
            _("Proof of the complaint or lawsuit is required."), errors={"proof": [_("Required.")]}
        )
    notice.uphold(proof=proof)
    notice.save()
    deadline_meet(rule=IP_COUNTER_RULE, subject=notice)
    notify(
        recipient=notice.listing.merchant.owner,
        event="ip_notice_upheld",
        title=_("IP takedown upheld"),
        body=_("The rights holder has filed a complaint or lawsuit."),
        subject=notice,
    )
    audit_record(actor=actor, action="ip_notice.upheld", subject=notice)
    # VIO-1: an upheld takedown is an established infringement: the merchant's violation follows by rule
    violation_record(
        merchant=notice.listing.merchant,
        kind="ip_infringement",
        evidence={
            "ip_notice": notice.pk,
            "listing": notice.listing_id,
            "right_kind": notice.right_kind,
            "right_reference": notice.right_reference,
        },
        source=Violation.Source.SYSTEM,
        actor=None,
        reason=_("IP notice #%(id)s upheld: the rights holder showed a complaint or lawsuit")
        % {"id": notice.pk},
    )
    return notice


@transaction.atomic
def ip_notice_restore(*, notice: IpNotice) -> IpNotice:
    """CAT-7: the 15 days passed without proof of an action: the listing returns to sale (system)."""
    notice = ip_notice_lock(notice_id=notice.pk)
    notice.restore()
    notice.save()
    audit_record(actor=None, action="ip_notice.restored", subject=notice)
    listing = notice.listing
    still_open = IpNotice.objects.filter(
        listing=listing, status__in=[IpNotice.Status.TAKEN_DOWN, IpNotice.Status.COUNTER_NOTICED]
    ).exclude(pk=notice.pk)
    if (
        listing.status == Listing.Status.DELISTED
        and listing.delist_source == Listing.DelistSource.IP_NOTICE
        and not still_open.exists()
    ):
        listing_restore(
            listing=listing,
            actor=None,
            reason=_("No complaint or lawsuit shown within 15 days of the counter-notice (IP notice #%(id)s)")
            % {"id": notice.pk},
        )
    return notice
