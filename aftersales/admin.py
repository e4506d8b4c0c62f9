"""Customer service's console: queues of escalated requests and open/escalated complaints sorted by time
left with SLA badges, canned responses, and the order's whole timeline on one page. Actions call
services; the admin writes nothing itself."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from aftersales import selectors
from aftersales.models import (
    AfterSalesEvent,
    AfterSalesRequest,
    CannedResponse,
    Complaint,
    ComplaintQueueItem,
    ComplaintStep,
    Conversation,
    EscalatedComplaint,
    EscalatedRequest,
    MerchantAfterSalesPolicy,
    Message,
    ServiceConversation,
    ShiftHandover,
    SpecialPeriod,
    Suggestion,
)
from aftersales.services.canned_responses import CANNED_RESPONSE_FIELDS, canned_response_save
from aftersales.services.complaints import complaint_acknowledge, complaint_answer, complaint_close
from aftersales.services.conversations import (
    conversation_assign,
    conversation_close,
    message_post,
    shift_handover_record,
)
from aftersales.services.policies import aftersales_policy_set
from aftersales.services.requests import request_approve, special_period_declare
from aftersales.services.returns import request_close, request_return_delivered
from orders.models import Order
from platform_core import clock as platform_clock
from platform_core.accounts.acting import request_user
from platform_core.accounts.contact_masking import mask_contact_details
from platform_core.accounts.models import User
from platform_core.admin_site import PersonalDataAdmin, ServiceAdmin, model_change_permission, personal_shown
from platform_core.console.queues import duration_text
from platform_core.errors import DomainError
from platform_core.reports.masks import mask_person


def person_shown(user: User | None) -> str:
    """SEC-2: an account (a customer, a sender, an actor) as the viewer of the admin page may see it: masked
    without ``staff.view_personal_data`` (``str(user)`` is the name, else the e-mail, else the phone)."""
    return personal_shown(str(user) if user is not None else "", mask_person)


BADGE_COLOURS = {"overdue": "#ba2121", "due_soon": "#e18a00", "on_track": "#2e7d32", "none": "#777"}


class ConsoleActionForm(ActionForm):
    canned = forms.ModelChoiceField(
        label=_("Canned response"),
        queryset=CannedResponse.objects.filter(is_active=True),
        required=False,
    )
    text = forms.CharField(label=_("Answer / note"), required=False, max_length=5000)


def _staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _text(request: HttpRequest) -> str:
    text = request.POST.get("text", "").strip()
    canned_id = request.POST.get("canned")
    if not text and canned_id:
        canned = CannedResponse.objects.filter(pk=canned_id).first()
        text = canned.body if canned else ""
    return text


def _run(
    request: HttpRequest, modeladmin: admin.ModelAdmin, fn: Any, objects: QuerySet[Any], **kwargs: Any
) -> None:
    done = 0
    for obj in objects:
        try:
            fn(obj, **kwargs)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"#{obj.pk}: {exc.message}", level=messages.ERROR)
        except Exception as exc:  # report each failure (e.g. a refused transition), carry on
            modeladmin.message_user(request, f"#{obj.pk}: {exc}", level=messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(n)d done.") % {"n": done}, level=messages.SUCCESS)


def badge(due_at: datetime | None) -> SafeString:
    """SLA badge with the time left (or overdue)."""
    if due_at is None:
        return format_html('<span style="color:{}">-</span>', BADGE_COLOURS["none"])
    seconds = int((due_at - platform_clock.now()).total_seconds())
    kind = selectors.sla_badge(seconds)
    minutes = abs(seconds) // 60
    text = duration_text(timedelta(minutes=minutes))  # issue 21: "23 小时 59 分钟", not "23h 59m"
    label = _("%(t)s left") % {"t": text} if seconds >= 0 else _("overdue %(t)s") % {"t": text}
    return format_html(
        '<span style="color:#fff;background:{};padding:2px 6px;border-radius:3px">{}</span>',
        BADGE_COLOURS[kind],
        label,
    )


def timeline_table(order: Order | None) -> SafeString:
    """The order's events, payments, refunds, tracking, after-sales steps and complaints by time."""
    if order is None:
        return format_html("{}", "-")
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                timezone.localtime(item["at"]).strftime("%Y-%m-%d %H:%M"),
                item["source"],
                item["what"],
                item["detail"],
            )
            for item in selectors.order_timeline(order=order)
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("When"),
        _("Source"),
        _("What"),
        _("Detail"),
        rows,
    )


class AfterSalesEventInline(admin.TabularInline):
    model = AfterSalesEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor_shown", "action", "from_status", "to_status", "reason")
    readonly_fields = fields

    @admin.display(description=_("Actor"))
    def actor_shown(self, event: AfterSalesEvent) -> str:
        return person_shown(event.actor)  # SEC-2: often the customer

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyMixin:
    # the queues' actions need the model's change permission; the edit form stays off
    has_work_permission = model_change_permission

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AfterSalesRequest)
class AfterSalesRequestAdmin(ReadOnlyMixin, PersonalDataAdmin):
    action_form = ConsoleActionForm
    actions = ["record_return_delivered", "close_selected"]
    list_display = [
        "id",
        "order",
        "merchant",
        "kind",
        "reason_kind",
        "amount",
        "status",
        "time_left",
        "created_at",
    ]
    list_filter = ["status", "kind", "reason_kind", "escalated_to", "auto_approved"]
    date_hierarchy = "created_at"
    search_fields = ["order__number", "merchant__name", "customer__email", "return_tracking_number"]
    personal_search_fields = ("customer__email",)  # SEC-2
    personal_data_fields = ("customer",)
    list_select_related = ["order", "merchant"]
    inlines = [AfterSalesEventInline]
    exclude = ["customer"]  # SEC-2: shown masked by ``customer_shown``
    readonly_fields = ["customer_shown", "order_timeline"]

    @admin.display(description=_("Customer"))
    def customer_shown(self, obj: AfterSalesRequest) -> str:
        return person_shown(obj.customer)

    @admin.display(description=_("Time left"))
    def time_left(self, obj: AfterSalesRequest) -> SafeString:
        clock = selectors.request_clock(obj)
        return badge(clock["due_at"] if clock else None)

    @admin.display(description=_("Order timeline"))
    def order_timeline(self, obj: AfterSalesRequest) -> SafeString:
        return timeline_table(obj.order)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # the change list (and its actions) but no editing form, for those allowed to change at all
        return obj is None and super().has_change_permission(request)

    @admin.action(
        description=_("Record the return delivered to the merchant (carrier report)"), permissions=["work"]
    )
    def record_return_delivered(self, request: HttpRequest, queryset: QuerySet[AfterSalesRequest]) -> None:
        _run(
            request,
            self,
            lambda r: request_return_delivered(request=r, actor=_staff(request)),
            queryset,
        )

    @admin.action(description=_("Close (customer service resolution, with the note)"), permissions=["work"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[AfterSalesRequest]) -> None:
        note = _text(request)
        _run(
            request,
            self,
            lambda r: request_close(request=r, actor=_staff(request), note=note),
            queryset,
        )


@admin.register(EscalatedRequest)
class EscalatedRequestAdmin(AfterSalesRequestAdmin):
    """AFS-3, AFS-5: requests escalated to the platform, the oldest escalation first."""

    actions = ["approve_selected", "close_selected"]
    list_display = ["id", "order", "merchant", "kind", "escalated_to", "escalated_at", "escalation_reason"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return EscalatedRequest.objects.filter(status=AfterSalesRequest.Status.ESCALATED).order_by(
            F("escalated_at").asc(nulls_last=True), "pk"
        )

    @admin.action(description=_("Approve on the merchant's behalf"), permissions=["work"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[AfterSalesRequest]) -> None:
        note = _text(request)
        _run(
            request,
            self,
            lambda r: request_approve(request=r, actor=_staff(request), note=note),
            queryset,
        )


class ComplaintStepInline(admin.TabularInline):
    model = ComplaintStep
    extra = 0
    can_delete = False
    fields = ("at", "actor_shown", "action", "from_status", "to_status", "note")
    readonly_fields = fields

    @admin.display(description=_("Actor"))
    def actor_shown(self, step: ComplaintStep) -> str:
        return person_shown(step.actor)  # SEC-2: often the complainant

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyMixin, PersonalDataAdmin):
    action_form = ConsoleActionForm
    actions = ["acknowledge_selected", "answer_selected", "close_selected"]
    list_display = ["id", "target_kind", "merchant", "category", "status", "time_left", "created_at"]
    list_filter = ["status", "target_kind", "category", "complainant_kind"]
    date_hierarchy = "created_at"
    search_fields = ["description", "merchant__name", "order__number", "complainant__email"]
    personal_search_fields = ("complainant__email",)  # SEC-2
    personal_data_fields = ("complainant",)
    list_select_related = ["merchant"]
    inlines = [ComplaintStepInline]
    exclude = ["complainant"]  # SEC-2: shown masked by ``complainant_shown``
    readonly_fields = ["complainant_shown", "pending_summary", "order_timeline"]

    @admin.display(description=_("Complainant"))
    def complainant_shown(self, obj: Complaint) -> str:
        return person_shown(obj.complainant)

    @admin.display(description=_("Time left"))
    def time_left(self, obj: Complaint) -> SafeString:
        clock = selectors.complaint_clock(obj)
        return badge(clock["due_at"] if clock else None)

    @admin.display(description=_("Order timeline"))
    def order_timeline(self, obj: Complaint) -> SafeString:
        return timeline_table(obj.order)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Acknowledge"), permissions=["work"])
    def acknowledge_selected(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
        _run(
            request,
            self,
            lambda c: complaint_acknowledge(complaint=c, actor=_staff(request)),
            queryset,
        )

    @admin.action(description=_("Answer (with the text or canned response)"), permissions=["work"])
    def answer_selected(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
        answer = _text(request)
        _run(
            request,
            self,
            lambda c: complaint_answer(complaint=c, answer=answer, actor=_staff(request)),
            queryset,
        )

    @admin.action(description=_("Close"), permissions=["work"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> None:
        note = _text(request)
        _run(
            request,
            self,
            lambda c: complaint_close(complaint=c, actor=_staff(request), note=note),
            queryset,
        )


@admin.register(ComplaintQueueItem)
class ComplaintQueueAdmin(ComplaintAdmin):
    """CMP-2: open complaints, the one whose answer is due first on top."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return ComplaintQueueItem.objects.filter(
            pk__in=selectors.complaint_queue_for_customer_service()
        ).order_by(F("answer_by").asc(nulls_last=True), "pk")


@admin.register(EscalatedComplaint)
class EscalatedComplaintAdmin(ComplaintAdmin):
    """CMP-2: the department head's queue, with what is pending."""

    list_display = [
        "id",
        "target_kind",
        "merchant",
        "category",
        "escalated_to",
        "escalated_at",
        "pending_summary",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return EscalatedComplaint.objects.filter(status=Complaint.Status.ESCALATED).order_by(
            "escalated_at", "pk"
        )


@admin.register(CannedResponse)
class CannedResponseAdmin(ServiceAdmin):
    """AFS-3, CMP-2: prepared answers, saved through the service (audited); retired, never deleted."""

    list_display = ["title", "applies_to", "is_active"]
    list_filter = ["applies_to", "is_active"]
    search_fields = ["title", "body"]
    fields = list(CANNED_RESPONSE_FIELDS)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> CannedResponse:
        return canned_response_save(response=None, data=data, actor=request_user(request))

    def update(self, request: HttpRequest, obj: CannedResponse, data: dict[str, Any]) -> CannedResponse:
        return canned_response_save(response=obj, data=data, actor=request_user(request))


@admin.register(SpecialPeriod)
class SpecialPeriodAdmin(ServiceAdmin):
    """AFS-3: periods in which merchants get 48 hours to respond; declared through the service, not edited."""

    list_display = ["reason", "starts_at", "ends_at", "created_by"]
    fields = ["starts_at", "ends_at", "reason"]

    def create(self, request: HttpRequest, data: dict[str, Any]) -> SpecialPeriod:
        return special_period_declare(actor=_staff(request), **data)


@admin.register(MerchantAfterSalesPolicy)
class MerchantAfterSalesPolicyAdmin(admin.ModelAdmin):
    list_display = ["merchant", "pays_no_reason_return_shipping", "warranty_days"]
    search_fields = ["merchant__name"]
    raw_id_fields = ["merchant"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["merchant", "updated_at"] if obj else ["updated_at"]  # the service stamps the change

    def save_model(
        self, request: HttpRequest, obj: MerchantAfterSalesPolicy, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data  # issue 21: through the service and its audit row, never a bare save
        obj.pk = aftersales_policy_set(
            merchant=data.get("merchant") or obj.merchant,
            pays_no_reason_return_shipping=data["pays_no_reason_return_shipping"],
            warranty_days=data["warranty_days"],
            exchange_repair_terms=data.get("exchange_repair_terms", obj.exchange_repair_terms),
            actor=request_user(request),
        ).pk


# --- MSG-1, MSG-2: customer service's conversation console ----------------------------------------------


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["created_at", "side", "sender_shown", "text_shown", "read_at"]
    readonly_fields = ["created_at", "side", "sender_shown", "text_shown", "read_at"]
    can_delete = False

    @admin.display(description=_("Sender"))
    def sender_shown(self, message: Message) -> str:
        return person_shown(message.sender)  # SEC-2: the customer on the customer's side

    @admin.display(description=_("text"))
    def text_shown(self, message: Message) -> str:
        """SEC-2, MSG-1: phone numbers and addresses typed in a message, masked as the other party reads them."""
        return personal_shown(message.text, mask_contact_details)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConversationConsoleForm(ConsoleActionForm):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.filter(is_staff=True, is_active=True),
        required=False,
    )


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyMixin, PersonalDataAdmin):
    """MSG-1: every conversation, read-only (the customer service queue below answers)."""

    list_display = [
        "id",
        "kind",
        "customer_shown",
        "merchant",
        "status",
        "assigned_to",
        "time_left",
        "last_message_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["customer__email", "merchant__name", "order__number"]
    personal_search_fields = ("customer__email",)  # SEC-2
    personal_data_fields = ("customer",)
    list_select_related = ["customer", "merchant", "assigned_to"]
    inlines = [MessageInline]
    exclude = ["customer"]  # SEC-2: shown masked by ``customer_shown``
    readonly_fields = ["customer_shown"]

    @admin.display(description=_("Customer"))
    def customer_shown(self, obj: Conversation) -> str:
        return person_shown(obj.customer)

    @admin.display(description=_("Time left"))
    def time_left(self, obj: Conversation) -> SafeString:
        return badge(obj.reply_due_at)


@admin.register(ServiceConversation)
class ServiceConversationAdmin(ConversationAdmin):
    """MSG-2: open platform conversations, the answer due first on top; answer (typed or canned),
    assign, close. Escalated ones show whom they went to."""

    action_form = ConversationConsoleForm
    actions = ["reply_selected", "assign_to_me", "assign_selected", "close_selected"]
    list_display = [
        "id",
        "customer_shown",
        "assigned_to",
        "time_left",
        "escalated_to",
        "last_message_at",
    ]
    # SEC-2: only the (staff) accounts the queue's rows name, never the list of every user
    list_filter = [
        ("assigned_to", admin.RelatedOnlyFieldListFilter),
        ("escalated_to", admin.RelatedOnlyFieldListFilter),
    ]
    ordering = [F("reply_due_at").asc(nulls_last=True), "-last_message_at", "pk"]  # type: ignore[list-item]  # admin accepts expressions

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return ServiceConversation.objects.filter(
            pk__in=selectors.conversation_queue_for_customer_service()
        ).order_by(F("reply_due_at").asc(nulls_last=True), "-last_message_at", "pk")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # the queue's actions (for those allowed to change); the conversation is changed only by services
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Reply (with the text or canned response)"), permissions=["work"])
    def reply_selected(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        text = _text(request)
        _run(
            request,
            self,
            lambda c: message_post(conversation=c, sender=_staff(request), text=text, actor=_staff(request)),
            queryset,
        )

    @admin.action(description=_("Assign to me"), permissions=["work"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        me = _staff(request)
        _run(
            request,
            self,
            lambda c: conversation_assign(conversation=c, assignee=me, actor=me),
            queryset,
        )

    @admin.action(description=_("Assign to the chosen agent"), permissions=["work"])
    def assign_selected(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        assignee = User.objects.filter(pk=request.POST.get("assignee") or 0).first()
        if assignee is None:
            self.message_user(request, _("Choose the agent to assign."), level=messages.ERROR)
            return
        _run(
            request,
            self,
            lambda c: conversation_assign(conversation=c, assignee=assignee, actor=_staff(request)),
            queryset,
        )

    @admin.action(description=_("Close"), permissions=["work"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        _run(
            request,
            self,
            lambda c: conversation_close(conversation=c, actor=_staff(request)),
            queryset,
        )


@admin.register(ShiftHandover)
class ShiftHandoverAdmin(admin.ModelAdmin):
    """MSG-2: shift hand-over notes; written through the service, never changed afterwards."""

    list_display = ["created_at", "author", "notes"]
    search_fields = ["notes"]
    fields = ["notes"]

    def save_model(self, request: HttpRequest, obj: ShiftHandover, form: Any, change: bool) -> None:
        created = shift_handover_record(author=_staff(request), notes=obj.notes)
        obj.pk = created.pk

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyMixin, PersonalDataAdmin):
    """MSG-3: users' suggestions, read-only; the user named masked without ``view_personal_data`` (SEC-2)."""

    list_display = ["id", "created_at", "user_shown", "tags", "text"]
    personal_data_fields = ("user",)
    exclude = ["user"]
    readonly_fields = ["user_shown"]
    search_fields = ["text"]
    date_hierarchy = "created_at"

    @admin.display(description=_("User"))
    def user_shown(self, obj: Suggestion) -> str:
        return person_shown(obj.user)
