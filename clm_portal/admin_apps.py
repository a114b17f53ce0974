from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """The admin app with the portal's site: sign-in through allauth, MFA for staff."""

    default_site = "clm_portal.admin_site.PortalAdminSite"
