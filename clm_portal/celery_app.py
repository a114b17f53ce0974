import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clm_portal.settings")

app = Celery("clm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
