"""The notifications API: the caller's in-app notifications."""

from rest_framework import generics, serializers

from .models import Notification
from .selectors import notifications_for


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "created_at", "read_at"]
        read_only_fields = fields


class NotificationListView(generics.ListAPIView):
    """GET /api/v1/notifications/: the caller's notifications, newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        return notifications_for(self.request.user)
