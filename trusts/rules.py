"""People, roles and invitations: this app's permission rules (NHS `<app>/rules.py`).

The shared predicates about people, roles and Trusts live in `clm_portal.permissions`, since
the other apps build on them too. Loaded by `TrustsConfig.ready`.
"""

import rules

from clm_portal.permissions import is_clm_of, is_deanery, is_trust_admin_of, is_trust_staff

rules.add_perm("trusts.view_trust", is_deanery | is_trust_admin_of | is_clm_of)
rules.add_perm("trusts.list_people", is_deanery | is_trust_staff)
rules.add_perm("trusts.invite_to_trust", is_trust_admin_of | is_clm_of | is_deanery)
rules.add_perm("trusts.view_people_history", is_deanery | is_trust_staff)
rules.add_perm("trusts.manage_invitation", is_deanery | is_trust_admin_of | is_clm_of)
# A trainee's placement dates and educational supervisor: their Trust's CLM or administrator.
rules.add_perm("trusts.edit_placement", is_trust_admin_of | is_clm_of)
# Taking a role away, and undoing that: the person's Trust administrator, or deanery staff.
rules.add_perm("trusts.remove_membership", is_deanery | is_trust_admin_of)
