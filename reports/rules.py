"""The reports' permission rules (NHS `<app>/rules.py`), on the shared predicates.

Objects are Trusts or anything with a `trust_id` (a year-end report, a generation): a CLM
sees and writes their own Trust's report and dashboard and alone submits it; the Trust
administrator reads and drafts them; deanery staff see everything, return or accept reports
and produce the regional compendium. Trainees and supervisors see none of it.
"""

import rules

from clm_portal.permissions import is_clm_of, is_deanery, is_trust_admin_of

rules.add_perm("reports.view_trust", is_deanery | is_clm_of | is_trust_admin_of)
rules.add_perm("reports.draft_report", is_clm_of | is_trust_admin_of)
rules.add_perm("reports.submit_report", is_clm_of)
rules.add_perm("reports.review_report", is_deanery)
# Making a Trust report's files: its staff and the deanery; the compendium: the deanery.
rules.add_perm("reports.generate_trust", is_deanery | is_clm_of | is_trust_admin_of)
rules.add_perm("reports.manage_cycle", is_deanery)
