"""The base of every history row: timelines and logs are written once and never rewritten."""

from django.db import models


class AppendOnly(models.Model):
    """A row of a history. Saving it again or deleting it is refused, so a timeline shows
    what happened, not what someone later wished had happened."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError(f"{self._meta.verbose_name} rows are append-only: not changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name} rows are append-only: not deleted.")
