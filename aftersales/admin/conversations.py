"""Conversations with customers (MSG-1), the service desk's queue and shift handovers, and suggestions."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from aftersales import selectors
from aftersales.admin._common import (
    ConsoleActionForm,
    ReadOnlyMixin,
    _run,
    _staff,
    _text,
    badge,
    person_shown,
)
from aftersales.models import (
    Conversation,
    Message,
    ServiceConversation,
    ShiftHandover,
    Suggestion,
)
from aftersales.services.conversations import (
    conversation_assign,
    conversation_close,
    message_post,
    shift_handover_record,
)
from platform_core.accounts.contact_masking import mask_contact_details
from platform_core.accounts.models import User
from platform_core.admin_site import PersonalDataAdmin, ViewOnlyInline, personal_shown


class MessageInline(ViewOnlyInline):
    model = Message
    fields = ["created_at", "side", "sender_shown", "text_shown", "read_at"]
    readonly_fields = ["created_at", "side", "sender_shown", "text_shown", "read_at"]

    @admin.display(description=_("Sender"))
    def sender_shown(self, message: Message) -> str:
        return person_shown(message.sender)  # SEC-2: the customer on the customer's side

    @admin.display(description=_("text"))
    def text_shown(self, message: Message) -> str:
        """SEC-2, MSG-1: phone numbers and addresses typed in a message, masked as the other party reads them."""
        return personal_shown(message.text, mask_contact_details)


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
