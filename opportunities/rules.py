"""The opportunities' permission rules (NHS `<app>/rules.py`), on the shared predicates.

Objects are opportunities (or anything with `trust_id`): a Trust's opportunity is managed by
its CLM and Trust administrators; a region-wide one (no Trust) by deanery staff. Deanery
staff read everything.
"""

import rules

from clm_portal.permissions import is_clm_of, is_deanery, is_trust_admin_of
from trusts.models import Role


@rules.predicate
def is_region_wide(user, opportunity) -> bool:
    return opportunity is not None and getattr(opportunity, "trust_id", None) is None


@rules.predicate
def is_trainee(user) -> bool:
    return user.is_authenticated and user.has_role(Role.TRAINEE)


@rules.predicate
def is_supervisor(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SUPERVISOR)


@rules.predicate
def owns_application(user, application) -> bool:
    return application is not None and application.trainee_id == user.pk


manages = (is_clm_of | is_trust_admin_of) | (is_deanery & is_region_wide)

# Object: an Opportunity (or a Trust, to create one in it).
rules.add_perm("opportunities.manage_opportunity", manages)
# Object: an Application; the staff of its opportunity decide on it.
rules.add_perm("opportunities.act_on_application", owns_application)
rules.add_perm("opportunities.apply", is_trainee)
rules.add_perm("opportunities.recommend", is_supervisor)
# Fair-access figures: a Trust's staff for their Trust, deanery staff for every Trust.
rules.add_perm("opportunities.view_fair_access", is_deanery | is_clm_of | is_trust_admin_of)
