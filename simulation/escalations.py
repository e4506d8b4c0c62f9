"""Complaints (CMP-1, CMP-2) and disputes (DSP-1 .. DSP-5)."""

from datetime import timedelta
from decimal import Decimal

from aftersales.models import AfterSalesRequest, Complaint
from aftersales.services.complaints import (
    complaint_acknowledge,
    complaint_answer,
    complaint_close,
    complaint_file,
)
from aftersales.services.requests import request_escalate
from disputes.models import Dispute, MediationProposal
from disputes.services.arbitration import dispute_rule
from disputes.services.evidence import dispute_evidence_submit
from disputes.services.mediation import dispute_propose, proposal_answer
from orders.models import Order
from simulation.base import SimulationBase


class EscalationBehaviour(SimulationBase):
    # --- complaints (CMP-1, CMP-2) --------------------------------------------------------------------------

    def do_complain(self, order_id: int) -> None:
        order = Order.objects.get(pk=order_id)
        complaint = self.call(
            "complaint_file",
            complaint_file,
            complainant=order.customer,
            target_kind=Complaint.TargetKind.ORDER,
            category=Complaint.Category.SERVICE_ATTITUDE,
            description="客服态度差，回复慢",
            order_id=order_id,
            actor=order.customer,
        )
        if complaint is None:
            return
        self.tally.counts["complaints.filed"] += 1
        slow = self.rng.random() < self.config.slow_complaint_chance
        # customer service works through its queue; a slow day lets the 24 h acknowledgement run out
        self.schedule(
            self.rng.randint(7, 9) if slow else self.rng.randint(1, 3), "complaint_handle", complaint.pk
        )

    def do_complaint_handle(self, complaint_id: int) -> None:
        assert self.population is not None
        agent = self.population.customer_service
        complaint = Complaint.objects.get(pk=complaint_id)
        if complaint.status == Complaint.Status.FILED:
            self.call("complaint_ack", complaint_acknowledge, complaint=complaint, actor=agent)
        complaint.refresh_from_db()
        if self.call(
            "complaint_answer",
            complaint_answer,
            complaint=complaint,
            answer="已联系商家核实并督促改进，感谢反馈。",
            actor=agent,
        ):
            self.tally.counts["complaints.answered"] += 1
            self.schedule(self.rng.randint(1, 3), "complaint_close", complaint_id)

    def do_complaint_close(self, complaint_id: int) -> None:
        complaint = Complaint.objects.get(pk=complaint_id)
        if self.call("complaint_close", complaint_close, complaint=complaint, actor=complaint.complainant):
            self.tally.counts["complaints.closed"] += 1

    # --- disputes (DSP-1 .. DSP-5) --------------------------------------------------------------------------

    def do_dispute_open(self, request_id: int) -> None:
        request = AfterSalesRequest.objects.get(pk=request_id)
        if not self.call(
            "aftersales_escalate",
            request_escalate,
            request=request,
            reason="商品确有质量问题",
            actor=request.customer,
        ):
            return
        dispute = Dispute.objects.filter(aftersales_request_id=request_id).first()
        if dispute is None:
            return
        self.tally.counts["disputes.opened"] += 1
        self.schedule(self.rng.randint(1, 3), "dispute_evidence", dispute.pk, "customer")
        if (
            self.rng.random() < 0.5
        ):  # the other half of merchants stay silent: the case must not stall (DSP-2a)
            self.schedule(self.rng.randint(1, 6), "dispute_evidence", dispute.pk, "merchant")
        self.schedule(self.ticks(timedelta(days=3)) + 1, "dispute_propose", dispute.pk)

    def do_dispute_evidence(self, dispute_id: int, side: str) -> None:
        dispute = Dispute.objects.select_related("order").get(pk=dispute_id)
        actor = (
            dispute.order.customer
            if side == "customer"
            else self.merchants_by_pk[dispute.order.merchant_id].owner
        )
        statement = "收到时外包装完好但商品破损" if side == "customer" else "发货前已检查，商品完好"
        if self.call(
            "dispute_evidence", dispute_evidence_submit, dispute=dispute, statement=statement, actor=actor
        ):
            self.tally.counts[f"disputes.evidence_{side}"] += 1

    def do_dispute_propose(self, dispute_id: int) -> None:
        assert self.population is not None
        dispute = Dispute.objects.select_related("order").get(pk=dispute_id)
        if dispute.status != Dispute.Status.MEDIATION:
            return
        amount = (dispute.claim_amount / 2).quantize(Decimal("0.01"))
        proposal = self.call(
            "dispute_propose",
            dispute_propose,
            dispute=dispute,
            refund_amount=amount,
            note="建议退一半",
            actor=self.population.admin,
        )
        if proposal is None:
            return
        self.tally.counts["disputes.proposals"] += 1
        self.schedule(self.rng.randint(1, 4), "proposal_answer", proposal.pk, "customer")
        self.schedule(self.rng.randint(1, 4), "proposal_answer", proposal.pk, "merchant")
        # without a settlement the case reaches the committee when the 3-day mediation window closes
        self.schedule(self.ticks(timedelta(days=3)) + self.rng.randint(1, 6), "dispute_rule", dispute.pk)

    def do_proposal_answer(self, proposal_id: int, side: str) -> None:
        proposal = MediationProposal.objects.select_related("dispute__order").get(pk=proposal_id)
        order = proposal.dispute.order
        actor = order.customer if side == "customer" else self.merchants_by_pk[order.merchant_id].owner
        accept = self.rng.random() < (0.7 if side == "customer" else 0.5)
        if self.call("proposal_answer", proposal_answer, proposal=proposal, accept=accept, actor=actor):
            self.tally.counts[f"disputes.proposal_{'accepted' if accept else 'rejected'}"] += 1

    def do_dispute_rule(self, dispute_id: int) -> None:
        assert self.population is not None
        dispute = Dispute.objects.get(pk=dispute_id)
        if dispute.status != Dispute.Status.ARBITRATION or dispute.arbitrator_id is None:
            return
        arbitrator = self.population.arbitrator
        if dispute.arbitrator_id != arbitrator.pk:
            return
        kind = self.rng.choice(("full_refund", "partial_refund", "no_refund"))
        amount = {
            "full_refund": dispute.claim_amount,
            "partial_refund": (dispute.claim_amount * Decimal("0.3")),
        }
        if self.call(
            "dispute_rule",
            dispute_rule,
            dispute=dispute,
            kind=kind,
            refund_amount=amount.get(kind, Decimal("0")).quantize(Decimal("0.01")),
            reasons="依据双方证据裁决",
            actor=arbitrator,
        ):
            self.tally.counts[f"disputes.ruled_{kind}"] += 1
