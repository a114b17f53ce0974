from django.urls import path

from . import views

app_name = "trusts"

urlpatterns = [
    path("trusts/", views.trust_list, name="list"),
    path("trusts/<str:ods_code>/", views.trust_detail, name="detail"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/invite/upload/", views.invite_upload, name="invite_upload"),
    path("people/invite/template.csv", views.invite_template, name="invite_template"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/history/", views.person_history_view, name="person_history"),
    path("people/<int:pk>/placement/", views.edit_placement, name="edit_placement"),
    path("memberships/<int:pk>/remove/", views.remove_membership, name="remove_membership"),
    path(
        "memberships/removed/<int:removal_id>/restore/",
        views.restore_membership,
        name="restore_membership",
    ),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/resend/", views.resend_invitation, name="resend_invitation"),
    path("invitations/<int:pk>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    path("invitations/accept/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("profile/", views.profile, name="profile"),
    path("my-trainees/", views.my_trainees, name="my_trainees"),
]
