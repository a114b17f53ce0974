"""The opportunities' URLs under /opportunities/, gathered from each part's view module.

URL names are a contract (emails, notifications, tests): see README "Opportunities".
"""

from .views import browse, fairness, manage, record

app_name = "opportunities"

urlpatterns = [
    *browse.urlpatterns,
    *manage.urlpatterns,
    *record.urlpatterns,
    *fairness.urlpatterns,
]
