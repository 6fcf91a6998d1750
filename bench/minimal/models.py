from django.db import models


class Note(models.Model):
    """One stored row per request, with the idempotency key civicdesk's API also stores."""

    key = models.CharField(max_length=200, unique=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
