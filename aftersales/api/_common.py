"""What several after-sales API modules share: the merchant responder permission, the clock and evidence
serializers."""

from rest_framework import serializers

from aftersales.models import Evidence
from merchants.permissions import AFTERSALES_RESPONDERS, IsMerchantMember

MerchantResponder = IsMerchantMember.with_roles(*AFTERSALES_RESPONDERS)


class ClockSerializer(serializers.Serializer):
    waiting_for = serializers.CharField(help_text="Which deadline the request waits on.")
    due_at = serializers.DateTimeField()
    seconds_left = serializers.IntegerField(help_text="Negative when overdue.")


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "content_type", "size", "uploaded_at"]
