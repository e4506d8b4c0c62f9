"""Writes of the public jury (大众评审, DSP-6).

A dispute whose refundable amount is at most ¥500 may be decided by a jury when both parties consent
before arbitration starts (``jury_consent_give``). When mediation ends without agreement, disputes asks
its ``arbitration_routers``; ``jury_arbitration_router`` takes a consented case, draws 13 jurors at
random among the eligible (``jury.selectors.jurors_eligible``) and starts the 48-hour clock
``jury.verdict_due`` on the *dispute* (so the sweeper, like every dispute write, locks the dispute first
and the jury case second). A case without both consents, over the limit, or with fewer than 13 eligible
jurors goes to the committee as usual.

The vote closes when all 13 voted or at 48 hours (``jury_vote_close``): with fewer than 7 votes cast the
committee decides (``disputes.services.mediation.dispute_refer_to_committee``); otherwise the outcome
more than half of the votes cast chose is the verdict (a partial refund at the median amount voted),
recorded as the case's ruling through ``disputes.services.arbitration.dispute_rule_by_jury`` and executed
by disputes' own execution clock, so money moves once, under the ruling's idempotency key. No majority →
the committee.
"""

import random
import secrets
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.models import Dispute, Party
from disputes.selectors import party_of
from disputes.services._common import dispute_lock
from disputes.services.arbitration import dispute_rule_by_jury
from disputes.services.mediation import dispute_refer_to_committee
from jury.clocks import RULE_VERDICT_DUE
from jury.models import Juror, JuryCase
from jury.selectors import jurors_eligible, jury_amount_eligible, jury_tally, refundable_amount
from platform_core import clock
from platform_core.accounts.models import User
from platform_core.audit.services import audit_record
from platform_core.deadlines.services import deadline_meet, deadline_start
from platform_core.errors import Conflict, InvalidInput, NotFound, Unprocessable
from platform_core.locking import lock, lock_first
from platform_core.money import is_whole_cents
from platform_core.notifications.services import notify

CONSENT_STATUSES = (Dispute.Status.EVIDENCE, Dispute.Status.MEDIATION)


def _when(at: object) -> str:
    return str(timezone.localtime(at).strftime("%Y-%m-%d %H:%M"))  # type: ignore[arg-type]


def _tell_parties(dispute: Dispute, *, event: str, title: str, body: str) -> None:
    for user in (dispute.order.customer, dispute.order.merchant.owner):
        notify(recipient=user, event=event, title=title, body=body, subject=dispute)


# --- consent -----------------------------------------------------------------------------------------------


@transaction.atomic
def jury_consent_give(*, dispute: Dispute, party: str, actor: User) -> JuryCase:
    """DSP-6: the customer or the merchant (a member of the shop) consents to a jury. Only before
    arbitration starts, only for a dispute of at most ¥500. A party consents once: a second consent is a
    ``Conflict`` (409, ``jury_consent_given``) naming the first one's time, in the API and the dashboard."""
    dispute = dispute_lock(dispute_id=dispute.pk)
    if party_of(dispute=dispute, user=actor) != party:
        raise NotFound(_("No such dispute."))
    if dispute.status not in CONSENT_STATUSES:
        raise Conflict(_("Consent to a jury is given before arbitration starts."), code="jury_consent_closed")
    if not jury_amount_eligible(dispute):
        raise Unprocessable(
            _("Only disputes of at most %(limit)s CNY may go to the public jury (this one: %(amount)s).")
            % {"limit": settings.JURY_MAX_AMOUNT, "amount": refundable_amount(dispute)},
            code="jury_amount_over_limit",
        )
    case = lock_first(JuryCase, dispute=dispute) or JuryCase.objects.create(dispute=dispute)
    now = clock.now()
    if party == Party.CUSTOMER and case.customer_consented_at is None:
        case.customer_consented_at, case.customer_consented_by = now, actor
    elif party == Party.MERCHANT and case.merchant_consented_at is None:
        case.merchant_consented_at, case.merchant_consented_by = now, actor
    else:
        raise _consent_given(case, party)
    case.save()
    audit_record(actor=actor, action="jury.consent_given", subject=case, after={"party": party})
    other = dispute.order.merchant.owner if party == Party.CUSTOMER else dispute.order.customer
    notify(
        recipient=other,
        event="jury_consent_given",
        title=_("The other party agrees to a public jury"),
        body=(
            _("Dispute #%(id)s: both parties agree; a jury of customers decides if mediation fails.")
            if case.both_consented
            else _(
                "Dispute #%(id)s: the other party asks for a public jury instead of the committee. "
                "If you agree too, give your consent before mediation ends."
            )
        )
        % {"id": dispute.pk},
        subject=dispute,
    )
    return case


def _consent_given(case: JuryCase, party: str) -> Conflict:
    """DSP-6: the party consented before: the transition is not allowed now (409), with when."""
    at = case.customer_consented_at if party == Party.CUSTOMER else case.merchant_consented_at
    assert at is not None
    shown = {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}
    message = (
        _("You already consented to a public jury on %(at)s; consent is given once.")
        if party == Party.CUSTOMER
        else _("Your shop already consented to a public jury on %(at)s; consent is given once.")
    )
    return Conflict(message % shown, code="jury_consent_given")


# --- the draw ----------------------------------------------------------------------------------------------


def jury_draw(*, dispute: Dispute, rng: random.Random | None = None) -> list[User]:
    """DSP-6: 13 jurors at random among the eligible (fewer eligible → an empty list: no jury). The
    system's CSPRNG unless a test passes a seeded ``rng``."""
    eligible = list(jurors_eligible(dispute=dispute))
    if len(eligible) < settings.JURY_SIZE:
        return []
    return (rng or secrets.SystemRandom()).sample(eligible, settings.JURY_SIZE)


def _refer(case: JuryCase, *, note: str) -> None:
    case.refer(note=note)
    case.save()
    audit_record(actor=None, action="jury.referred", subject=case, after={"status": case.status}, reason=note)


def jury_arbitration_router(*, dispute: Dispute, rng: random.Random | None = None) -> bool:
    """DSP-6 (``disputes.services.mediation.arbitration_routers``): mediation failed and the case is entering
    arbitration (the dispute locked). Take it to a jury if both parties consented, it is still small
    enough and 13 eligible jurors exist; otherwise record why and leave it to the committee."""
    case = lock_first(JuryCase, dispute=dispute)
    if case is None or case.status != JuryCase.Status.CONSENTING:
        return False
    if not case.both_consented:
        _refer(case, note=_("Only one party consented to a jury."))
        return False
    if not jury_amount_eligible(dispute):
        _refer(case, note=_("The amount in dispute exceeds the jury limit."))
        return False
    drawn = jury_draw(dispute=dispute, rng=rng)
    if not drawn:
        _refer(case, note=_("Fewer than %(n)s eligible jurors.") % {"n": settings.JURY_SIZE})
        return False
    due = deadline_start(rule=RULE_VERDICT_DUE, subject=dispute, after=settings.JURY_VOTE_WITHIN).due_at
    case.convene(due_at=due)
    case.save()
    Juror.objects.bulk_create(Juror(case=case, user=user) for user in sorted(drawn, key=lambda u: u.pk))
    audit_record(
        actor=None,
        action="jury.convened",
        subject=case,
        after={"jurors": sorted(u.pk for u in drawn), "vote_due_at": due.isoformat()},
    )
    for user in drawn:
        notify(
            recipient=user,
            event="jury_drawn",
            title=_("You were drawn for a public jury"),
            body=_("Jury case #%(id)s: read the anonymised case file and vote by %(due)s.")
            % {"id": case.pk, "due": _when(due)},
            subject=case,
        )
    _tell_parties(
        dispute,
        event="dispute_jury",
        title=_("Your dispute goes to the public jury"),
        body=_("Dispute #%(id)s: %(n)s jurors vote by %(due)s; the majority's verdict is final.")
        % {"id": dispute.pk, "n": settings.JURY_SIZE, "due": _when(due)},
    )
    return True


# --- the vote ------------------------------------------------------------------------------------------------


@transaction.atomic
def jury_vote_cast(
    *, case: JuryCase, juror: User, vote: str, reasons: str = "", refund_amount: Decimal | None = None
) -> Juror:
    """DSP-6: a drawn juror votes once, within 48 hours; the 13th vote closes the vote at once."""
    dispute = dispute_lock(dispute_id=case.dispute_id)
    case = lock(JuryCase, case.pk)
    seat = Juror.objects.select_for_update().filter(case=case, user=juror).first()
    if seat is None:
        raise NotFound(_("No such jury case."))
    if case.status != JuryCase.Status.DELIBERATING or dispute.status != Dispute.Status.ARBITRATION:
        raise Conflict(_("The vote on this case is closed."), code="jury_vote_closed")
    if seat.has_voted:
        raise Conflict(_("You already voted."), code="already_voted")
    if vote not in JuryCase.Verdict.values:
        raise InvalidInput(
            _("Unknown vote."), errors={"vote": [_("full_refund, partial_refund or no_refund.")]}
        )
    amount = None
    if vote == JuryCase.Verdict.PARTIAL_REFUND:
        amount = _partial_amount(refund_amount, limit=refundable_amount(dispute))
    seat.vote, seat.refund_amount, seat.reasons, seat.voted_at = vote, amount, reasons, clock.now()
    seat.save()
    audit_record(actor=juror, action="jury.voted", subject=case, after={"juror": seat.pk})
    if not case.jurors.filter(voted_at__isnull=True).exists():
        _close(dispute, case)
    return seat


def _partial_amount(value: Decimal | None, *, limit: Decimal) -> Decimal:
    errors = {
        "refund_amount": [_("A positive amount in yuan and fen, at most %(limit)s.") % {"limit": limit}]
    }
    if value is None:
        raise InvalidInput(_("A partial refund names its amount."), errors=errors)
    amount = Decimal(str(value))
    if amount <= 0 or amount >= limit or not is_whole_cents(amount):
        raise InvalidInput(
            _("A partial refund is more than nothing and less than everything."), errors=errors
        )
    return amount


def _close(dispute: Dispute, case: JuryCase) -> None:
    """Tally the votes cast (both locks held): a majority's verdict becomes the ruling, otherwise the
    committee decides. A dispute that left arbitration meanwhile (withdrawn, suspended) ends the vote."""
    deadline_meet(rule=RULE_VERDICT_DUE, subject=dispute)
    if dispute.status != Dispute.Status.ARBITRATION:
        case.end(
            note=_("The dispute left arbitration (%(status)s).") % {"status": dispute.get_status_display()}
        )
        case.save()
        audit_record(actor=None, action="jury.ended", subject=case, after={"status": case.status})
        return
    cast = list(case.jurors.filter(voted_at__isnull=False).order_by("pk"))
    counts = Counter(seat.vote for seat in cast)
    summary = ", ".join(f"{JuryCase.Verdict(k).label}: {n}" for k, n in sorted(counts.items()))
    decision = (
        jury_tally([(s.vote, s.refund_amount) for s in cast]) if len(cast) >= settings.JURY_QUORUM else None
    )
    if decision is None:
        why = (
            _("Only %(n)s of %(size)s jurors voted (%(quorum)s needed).")
            if len(cast) < settings.JURY_QUORUM
            else _("No outcome won a majority of the %(n)s votes cast.")
        ) % {"n": len(cast), "size": case.jurors.count(), "quorum": settings.JURY_QUORUM}
        _refer(case, note=f"{why} {summary}".strip())
        dispute_refer_to_committee(dispute=dispute, note=why)
        return
    verdict, amount = decision
    note = _("Public jury: %(n)s votes cast of %(size)s (%(summary)s); the majority decided.") % {
        "n": len(cast),
        "size": case.jurors.count(),
        "summary": summary,
    }
    majority_reasons = [s.reasons.strip() for s in cast if s.vote == verdict and s.reasons.strip()]
    reasons = "\n\n".join([note, *majority_reasons])
    ruling = dispute_rule_by_jury(dispute=dispute, kind=verdict, reasons=reasons, refund_amount=amount)
    case.decide(verdict=verdict, refund_amount=ruling.refund_amount, note=note)
    case.save()
    audit_record(
        actor=None,
        action="jury.decided",
        subject=case,
        after={"verdict": verdict, "refund_amount": str(ruling.refund_amount), "votes": dict(counts)},
    )


def jury_vote_close(*, dispute: Dispute) -> None:
    """DSP-6 (the ``jury.verdict_due`` handler, the dispute locked): 48 hours passed; tally what was cast."""
    case = lock_first(JuryCase, dispute=dispute)
    if case is not None and case.status == JuryCase.Status.DELIBERATING:
        _close(dispute, case)
