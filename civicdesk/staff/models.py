"""What the staff pages remember for each user: the filters of each work queue."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SavedFilter(models.Model):
    """The filters a user last applied to one list (a work queue), restored when they come
    back to it without filters, until they reset them. Kept on the server, so the same
    filters follow the user from the office computer to their phone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    # The list the filters belong to: a queue's slug.
    list_name = models.CharField(max_length=40)
    # The filter form's fields as submitted (strings), without empty ones and the page.
    params = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name"], name="one_saved_filter_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.list_name}"
