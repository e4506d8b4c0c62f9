"""MSG-3: feedback and suggestions (/suggestions/)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.models import Suggestion
from aftersales.services.suggestions import suggestion_record
from platform_core.accounts.acting import request_user


class SuggestionCreateApi(APIView):
    """MSG-3: send feedback or a suggestion, with tags."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=5000)
        tags = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Suggestion
            fields = ["id", "text", "tags", "created_at"]

    @extend_schema(
        summary=gettext_lazy("Send a suggestion"),
        description=gettext_lazy("Send feedback or a suggestion, with tags (MSG-3)."),
        tags=["suggestions"],
        request=InputSerializer,
        responses={201: OutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        suggestion = suggestion_record(
            user=request_user(request),
            text=data.validated_data["text"],
            tags=data.validated_data["tags"],
            actor=request_user(request),
        )
        return Response(self.OutputSerializer(suggestion).data, status=status.HTTP_201_CREATED)
