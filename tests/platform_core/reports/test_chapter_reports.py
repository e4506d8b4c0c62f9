"""AUD-2: the chapters' reports — listing reviews and takedowns, IP notices, disputes and rulings,
reconciliation differences — match the data they report on in a seeded scenario; AUD-3: they are
refused without their permission and their export log's SHA-256 is the file's; SEC-2: masked."""

import hashlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from django.db.models import Sum
from django.utils import timezone
from time_machine import TimeMachineFixture

from catalog.models import Inspection, InspectionBatch, IpNotice, Listing, ListingVersion
from catalog.services.inspections import inspection_record
from catalog.services.ip_notices import ip_notice_file, ip_notice_validate
from catalog.services.listings import listing_submit
from catalog.services.review import listing_approve, listing_delist, listing_reject
from disputes.models import Dispute, Ruling
from disputes.services.appeal import appeal_vote_cast, dispute_appeal
from disputes.services.arbitration import dispute_rule
from disputes.services.suspension import dispute_withdraw
from orders.models import ReconciliationDifference, Refund
from platform_core.accounts.models import User
from platform_core.deadlines.services import deadlines_sweep
from platform_core.reports.models import ExportLog
from platform_core.reports.registry import ReportFilters, monthly_sections, report_get
from tests.conftest import client_for
from tests.factories.accounts import CustomerFactory, StaffFactory
from tests.factories.catalog import CategoryFactory, draft_listing, merchant_for, reviewer
from tests.factories.disputes import arbitrator, dispute_in_arbitration, staff_dispute
from tests.factories.reports import auditor_factory, export_csv, grant_personal_data, streamed

pytestmark = pytest.mark.django_db

START = "2026-10-12 09:00:00+08:00"
CHAPTER_REPORTS = (
    "listing_reviews",
    "listing_takedowns",
    "ip_notices",
    "disputes",
    "reconciliation_differences",
)


def _summary(code: str, filters: ReportFilters | None = None) -> dict[str, Any]:
    summary = report_get(code).summary
    assert summary is not None
    return {str(label): value for label, value in summary(filters or ReportFilters())}


def _section(name: str) -> dict[str, Any]:
    since = timezone.make_aware(datetime(2026, 10, 1))
    until = timezone.make_aware(datetime(2026, 11, 1))
    source = dict(monthly_sections())[name]
    return {str(label): value for label, value in source(since, until).rows}


# --- catalog ---------------------------------------------------------------------------------------------


def _catalog_scenario(time_machine: TimeMachineFixture) -> dict[str, Any]:
    """Five listings reviewed (one late, one rejected), then taken down four ways."""
    time_machine.move_to(START, tick=False)
    category = CategoryFactory()
    merchant = merchant_for(category)
    fast, slow = reviewer(), reviewer()
    listings = [draft_listing(merchant=merchant, title=f"保温杯{i}") for i in range(5)]
    for listing in listings:
        listing_submit(listing=listing, actor=merchant.owner)
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    for listing in listings[:4]:
        listing_approve(listing=listing, actor=fast)
    time_machine.move_to(timezone.now() + timedelta(hours=23))  # 25 h after submission: late
    listing_reject(listing=listings[4], actor=slow, reason="标题含绝对化用语")

    staff_down, ip_down, inspected, own = listings[:4]
    listing_delist(listing=staff_down, actor=fast, reason="虚假宣传", source="staff")
    notice = ip_notice_file(
        listing_id=ip_down.pk,
        rights_holder=CustomerFactory(name="李四"),
        right_kind="trademark",
        right_reference="TM-8848",
        description="商标侵权",
        proof=["certificate.pdf"],
    )
    ip_notice_validate(notice=notice, actor=fast, note="证据充分")
    batch = InspectionBatch.objects.create(created_by=fast, size=1)
    inspection = Inspection.objects.create(batch=batch, listing=inspected)
    inspection_record(inspection=inspection, result="fail", evidence={"report": "材质不符"}, actor=fast)
    listing_delist(listing=own, actor=merchant.owner, reason="", source="merchant")
    # the staff takedown is relisted and approved again: back on sale
    time_machine.move_to(timezone.now() + timedelta(hours=1))
    listing_submit(listing=staff_down, actor=merchant.owner)
    listing_approve(listing=staff_down, actor=fast)
    return {
        "fast": fast,
        "slow": slow,
        "listings": listings,
        "notice": notice,
        "inspection": inspection,
        "staff_down": staff_down,
    }


def test_aud_2_listing_reviews_match_versions_and_review_clock(time_machine: TimeMachineFixture) -> None:
    seeded = _catalog_scenario(time_machine)
    auditor = auditor_factory()
    rows, body, export_id = export_csv(auditor, "listing_reviews")

    reviewed = ListingVersion.objects.filter(reviewed_at__isnull=False)
    assert len(rows) == reviewed.count() == 6
    assert {int(r["Version ID"]) for r in rows} == set(reviewed.values_list("pk", flat=True))
    by_outcome = {o: sum(r["Outcome"] == o for r in rows) for o in ("approved", "rejected")}
    assert by_outcome == {"approved": 5, "rejected": 1}
    assert sorted(r["SLA"] for r in rows) == ["late"] + ["met"] * 5
    late = next(r for r in rows if r["SLA"] == "late")
    assert int(late["Reviewer ID"]) == seeded["slow"].pk
    assert late["Outcome"] == "rejected" and late["Note or reason"] == "标题含绝对化用语"
    assert late["Waited"] == "25:00:00"
    assert {int(r["Reviewer ID"]) for r in rows if r["SLA"] == "met"} == {seeded["fast"].pk}
    assert "*" in late["Reviewer"]  # SEC-2: a staff member's name is masked

    summary = _summary("listing_reviews")
    assert (summary["Reviews done"], summary["Within 24 hours"], summary["Late"]) == (6, 5, 1)
    # AUD-3: the export log holds the file's hash and row count
    export = ExportLog.objects.get(pk=export_id)
    assert export.sha256 == hashlib.sha256(body).hexdigest() and export.row_count == 6
    # filters narrow the rows
    assert len(export_csv(auditor, "listing_reviews", "&sla=late")[0]) == 1
    assert len(export_csv(auditor, "listing_reviews", f"&reviewer={seeded['fast'].pk}")[0]) == 5
    assert (
        len(export_csv(auditor, "listing_reviews", "&from=2026-10-13&to=2026-10-31")[0]) == 2
    )  # late + relist


def test_aud_2_takedowns_list_every_delisting_with_source_reason_and_cause(
    time_machine: TimeMachineFixture,
) -> None:
    seeded = _catalog_scenario(time_machine)
    rows, _body, _id = export_csv(auditor_factory(), "listing_takedowns")

    assert len(rows) == 4
    by_source = {r["Source"]: r for r in rows}
    assert set(by_source) == {"staff", "ip_notice", "inspection", "merchant"}
    assert by_source["staff"]["Reason"] == "虚假宣传"
    assert int(by_source["staff"]["By (ID)"]) == seeded["fast"].pk
    assert by_source["staff"]["Back on sale at"] != ""  # relisted and approved again
    assert by_source["staff"]["Listing status now"] == "approved"
    assert int(by_source["ip_notice"]["IP notice ID"]) == seeded["notice"].pk
    assert "TM-8848" in by_source["ip_notice"]["Reason"]
    assert int(by_source["inspection"]["Inspection ID"]) == seeded["inspection"].pk
    assert by_source["inspection"]["Back on sale at"] == ""
    for row in rows:
        listing = Listing.objects.get(pk=int(row["Listing ID"]))
        assert int(row["Merchant ID"]) == listing.merchant_id
    assert all(r["IP notice ID"] == "" for r in rows if r["Source"] != "ip_notice")

    summary = _summary("listing_takedowns")
    assert summary["Delistings"] == 4
    assert (summary["Staff takedown"], summary["IP notice"], summary["Failed inspection"]) == (1, 1, 1)
    only_ip, _body, _id = export_csv(auditor_factory(), "listing_takedowns", "&source=ip_notice")
    assert [r["Source"] for r in only_ip] == ["ip_notice"]

    section = _section("catalog")
    assert (section["Listing reviews done"], section["…late"]) == (6, 1)
    assert section["Delisted: IP notice"] == 1 and section["IP notices filed and taken down"] == 1
    assert (section["Inspections done"], section["Inspections failed"]) == (1, 1)


def test_sec_2_ip_notice_rights_holder_is_masked_unless_permitted(time_machine: TimeMachineFixture) -> None:
    seeded = _catalog_scenario(time_machine)
    auditor = auditor_factory()
    masked, _body, _id = export_csv(auditor, "ip_notices")
    assert [int(r["Notice ID"]) for r in masked] == [seeded["notice"].pk]
    assert masked[0]["Rights holder"] == "李*"
    assert masked[0]["Status"] == IpNotice.Status.TAKEN_DOWN
    unmasked, _body, export_id = export_csv(grant_personal_data(auditor), "ip_notices")
    assert unmasked[0]["Rights holder"] == "李四"
    assert ExportLog.objects.get(pk=export_id).unmasked is True


# --- disputes --------------------------------------------------------------------------------------------


def _disputes_scenario(time_machine: TimeMachineFixture) -> dict[str, Dispute]:
    """One ruling executed, one appealed and decided by the panel, one withdrawn."""
    time_machine.move_to(START, tick=False)
    first = arbitrator()
    executed = dispute_in_arbitration(staff_dispute(prices=("200.00",)))
    assert executed.arbitrator_id == first.pk
    dispute_rule(
        dispute=executed,
        kind="partial_refund",
        refund_amount=Decimal("80.00"),
        reasons="部分瑕疵",
        actor=first,
    )
    appealed = dispute_in_arbitration(staff_dispute(prices=("400.00",)))
    judge = User.objects.get(pk=cast(int, appealed.arbitrator_id))
    dispute_rule(dispute=appealed, kind="no_refund", reasons="证据不足", actor=judge)
    for _ in range(3):
        arbitrator()
    appeal = dispute_appeal(dispute=appealed, reason="有新证据", actor=appealed.order.customer)
    for member in appeal.panel.order_by("pk")[:2]:  # two of three agree: the majority decides
        appeal_vote_cast(dispute=appealed, kind="full_refund", reasons="支持", actor=member)
    withdrawn = staff_dispute(prices=("50.00",))
    dispute_withdraw(dispute=withdrawn, actor=withdrawn.order.customer)
    time_machine.move_to(timezone.now() + timedelta(days=3, minutes=1))
    deadlines_sweep()
    deadlines_sweep()
    return {"executed": executed, "appealed": appealed, "withdrawn": withdrawn}


def test_aud_2_disputes_and_rulings_match_cases_rulings_and_refunds(time_machine: TimeMachineFixture) -> None:
    seeded = _disputes_scenario(time_machine)
    rows, body, export_id = export_csv(auditor_factory(), "disputes")

    assert len(rows) == Dispute.objects.count() == 3
    by_id = {int(r["Case ID"]): r for r in rows}
    executed, appealed, withdrawn = (by_id[seeded[k].pk] for k in ("executed", "appealed", "withdrawn"))
    assert (executed["Ruling"], Decimal(executed["Ruling refund (CNY)"])) == (
        "partial_refund",
        Decimal("80.00"),
    )
    assert executed["Appealed at"] == "" and executed["Final ruling"] == "partial_refund"
    assert executed["Executed at"] != "" and Decimal(executed["Refunded (CNY)"]) == Decimal("80.00")
    assert executed["Evidence from"] and executed["Arbitration from"] and executed["Ruled at"]
    assert appealed["Ruling"] == "no_refund" and appealed["Appeal decision"] == "full_refund"
    assert appealed["Final ruling"] == "full_refund" and appealed["Appealed by"] == "customer"
    assert appealed["Appeal decided at"] != ""
    assert withdrawn["Status"] == "withdrawn" and withdrawn["Ruling"] == ""
    for case_id, row in by_id.items():
        assert Decimal(row["Refunded (CNY)"]) == (
            Refund.objects.filter(order__disputes=case_id).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
        )
        assert "*" in row["Customer"] or row["Customer"] == ""  # SEC-2

    refunded = Refund.objects.filter(order__disputes__isnull=False).aggregate(s=Sum("amount"))["s"]
    assert refunded > Decimal("480.00") - Decimal("0.01")  # 80 + the whole of the 400 order
    summary = _summary("disputes")
    assert (
        summary["Cases"] == 3 and summary["Ruled"] == Ruling.objects.filter(is_appeal_decision=False).count()
    )
    assert (summary["Appealed"], summary["Withdrawn"], summary["Rulings executed"]) == (1, 1, 2)
    assert summary["Refunded (CNY)"] == refunded
    assert ExportLog.objects.get(pk=export_id).sha256 == hashlib.sha256(body).hexdigest()
    only_full, _body, _id = export_csv(auditor_factory(), "disputes", "&ruling_kind=full_refund")
    assert [int(r["Case ID"]) for r in only_full] == [seeded["appealed"].pk]

    section = _section("disputes")
    assert (section["Disputes opened"], section["Rulings issued"], section["Appeals filed"]) == (3, 2, 1)
    assert (section["Appeal decisions"], section["Rulings executed"], section["Withdrawn"]) == (1, 2, 1)
    assert section["Refunded by executed rulings (CNY)"] == refunded
    assert section["Open at the end of the month"] == 0


# --- orders: reconciliation ------------------------------------------------------------------------------


def _difference(day: date, ref: str, ledger: str | None, provider: str | None, **kw: Any) -> None:
    ReconciliationDifference.objects.create(
        day=day,
        provider="sandbox",
        kind="payment",
        reference=ref,
        ledger_amount=Decimal(ledger) if ledger else None,
        provider_amount=Decimal(provider) if provider else None,
        **kw,
    )


def test_aud_2_reconciliation_differences_match_the_table() -> None:
    _difference(date(2026, 10, 3), "T1", "100.00", "90.00")
    _difference(date(2026, 10, 4), "T2", None, "25.00")
    _difference(date(2026, 10, 5), "T3", "40.00", None, status="resolved", note="补记")
    _difference(date(2026, 9, 30), "T0", "1.00", "2.00")  # outside October
    auditor = auditor_factory()
    rows, _body, _id = export_csv(auditor, "reconciliation_differences", "&from=2026-10-01&to=2026-10-31")

    assert [r["Reference"] for r in rows] == ["T1", "T2", "T3"]
    assert [Decimal(r["Difference (CNY)"]) for r in rows] == [
        Decimal("10.00"),
        Decimal("-25.00"),
        Decimal("40.00"),
    ]
    october = ReportFilters(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    summary = _summary("reconciliation_differences", october)
    assert (summary["Differences found"], summary["Still open"], summary["Resolved"]) == (3, 2, 1)
    assert summary["Net difference, ledger − provider (CNY)"] == Decimal("25.00")
    assert len(export_csv(auditor, "reconciliation_differences", "&status=open")[0]) == 3
    section = _section("reconciliation")
    assert section["Differences found"] == 3 and section["Still open"] == 2


# --- permissions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CHAPTER_REPORTS)
def test_aud_2_chapter_report_export_without_its_permission_is_refused(code: str) -> None:
    staff = cast(User, StaffFactory(password=None))
    response = client_for(staff).get(f"/api/v1/reports/{code}/export/?format=csv")
    assert response.status_code == 403
    assert f"reports.export_{code}" in response.data["detail"]
    assert not ExportLog.objects.exists()
    assert code in {row["code"] for row in client_for(auditor_factory()).get("/api/v1/reports/").data}


@pytest.mark.parametrize("code", CHAPTER_REPORTS)
def test_aud_3_chapter_reports_render_as_xlsx_and_pdf(code: str) -> None:
    auditor = auditor_factory()
    for fmt in report_get(code).formats:
        response = client_for(auditor).get(f"/api/v1/reports/{code}/export/?format={fmt}")
        assert response.status_code == 200, (code, fmt)
        body = streamed(response)
        export = ExportLog.objects.get(pk=int(response["X-Export-Id"]))
        assert export.status == ExportLog.Status.DONE and export.sha256 == hashlib.sha256(body).hexdigest()
