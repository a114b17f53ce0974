from django.urls import path

from . import views

app_name = "mentors"

urlpatterns = [
    path("activity/", views.activity_log, name="log"),
    path("activity/new/", views.log_activity, name="log_activity"),
    path("activity/import/", views.import_activities, name="import"),
    path("activity/import/template.csv", views.import_template, name="import_template"),
    path("activity/<int:pk>/edit/", views.edit_activity, name="edit_activity"),
    path("activity/<int:pk>/delete/", views.delete_activity, name="delete_activity"),
    path("activity/time/", views.time_view, name="time"),
    path("activity/time/emails/", views.nudge_preference, name="nudge_preference"),
    path("training-years/", views.training_years, name="training_years"),
    path(
        "training-years/<int:year>/close/confirm/",
        views.confirm_close_training_year,
        name="confirm_close_year",
    ),
    path("training-years/<int:year>/close/", views.close_training_year, name="close_year"),
    path("training-years/<int:year>/reopen/", views.reopen_training_year, name="reopen_year"),
    path("trusts/<str:ods_code>/appointments/", views.appointments, name="appointments"),
    path("appointments/<int:pk>/end/", views.end_appointment, name="end_appointment"),
    path("appointments/<int:pk>/cancel/", views.cancel_appointment, name="cancel_appointment"),
    path("network/case-studies/", views.case_studies, name="case_studies"),
    path("network/case-studies/new/", views.publish_case_study, name="publish_case_study"),
    path("network/case-studies/<int:pk>/", views.case_study, name="case_study"),
    path("network/case-studies/<int:pk>/edit/", views.edit_case_study, name="edit_case_study"),
    path("network/days/", views.network_days, name="network_days"),
    path("network/days/new/", views.add_network_day, name="add_network_day"),
    path("network/days/<int:pk>/", views.network_day, name="network_day"),
]
