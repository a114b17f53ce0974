"""The CLM activity log's permission rules (NHS `<app>/rules.py`).

The shared predicates about people, roles and Trusts live in `clm_portal.permissions`; the
ones only this app needs are here. Loaded by `MentorsConfig.ready`.
"""

import rules

from clm_portal.permissions import is_clm_of, is_deanery, is_trust_admin_of
from trusts.models import Role


@rules.predicate
def is_clm(user) -> bool:
    return user.is_authenticated and user.has_role(Role.CLM)


@rules.predicate
def logged_it(user, activity) -> bool:
    return activity is not None and activity.logged_by_id == user.pk


@rules.predicate
def wrote_it(user, case_study) -> bool:
    return case_study is not None and case_study.author_id == user.pk


# Object: a Trust. The Trust's log is read by its CLM and administrators, and by deanery staff.
rules.add_perm("mentors.view_log", is_deanery | is_trust_admin_of | is_clm_of)
rules.add_perm("mentors.log_activity", is_clm_of)
# Object: an Activity. A CLM corrects their own entries in their own Trust.
rules.add_perm("mentors.change_activity", is_clm_of & logged_it)
# Object: a Trust. Appointments are recorded (and cancelled) by the Trust's administrator or
# the deanery.
rules.add_perm("mentors.manage_appointments", is_deanery | is_trust_admin_of)
rules.add_perm("mentors.close_training_year", is_deanery)
# The mentor network: all CLMs and deanery staff.
rules.add_perm("mentors.view_network", is_deanery | is_clm)
rules.add_perm("mentors.publish_case_study", is_clm)
rules.add_perm("mentors.change_case_study", is_clm & wrote_it)
rules.add_perm("mentors.manage_network_days", is_deanery)
