"""What the reports app stores: for now, the regional figures worked out ahead of the page."""

from django.db import models


class RegionalSnapshot(models.Model):
    """Every Trust's figures for a training year (`regional.regional_summary`), worked out by
    a Celery beat job every hour because the live queries over every Trust are too slow for a
    page at national scale; the page says when they were worked out."""

    year = models.PositiveSmallIntegerField(unique=True)
    computed_at = models.DateTimeField()
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Regional figures {self.year}, worked out {self.computed_at:%d %b %Y %H:%M}"
