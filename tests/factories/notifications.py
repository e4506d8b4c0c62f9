import factory
from django.utils import timezone

from platform_core.notifications.models import Notification
from tests.factories.accounts import CustomerFactory


class NotificationFactory(factory.django.DjangoModelFactory[Notification]):
    """An in-app notification already in the inbox; pass ``channel``/``status`` for outbox rows."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(CustomerFactory)
    event = "order.shipped"
    channel = Notification.Channel.INAPP
    title = factory.Sequence(lambda n: f"Your order #{n} has shipped")
    body = "The parcel is on its way."
    status = Notification.Status.SENT
    sent_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Notification.Status.SENT else None
    )


class PendingSmsFactory(NotificationFactory):
    channel = Notification.Channel.SMS
    status = Notification.Status.PENDING
