"""Authorisation matrix rows for taking part and the record (merged into
tests/test_authorization_matrix.py). Objects belong to the world's first Trust (RK9)."""


def _accepted(w):
    from opportunities import services

    from ..factories import OpportunityFactory, apply_for

    application = apply_for(OpportunityFactory(trust=w.trust, places=2), w.trainee)
    services.application_decide(by=w.clm, application=application, to="offered")
    return services.application_accept(trainee=w.trainee, application=application)


def _host_token(w) -> dict:
    from opportunities.models import Reflection

    reflection = Reflection.objects.create(
        application=_accepted(w), what_i_did="Ran the audit", what_i_learned="Leading change"
    )
    token = reflection.new_host_token()
    reflection.save()
    return {"token": token}


def _issued_record(w) -> dict:
    from opportunities.models import RecordIssue

    return {"public_id": RecordIssue.objects.create(trainee=w.trainee).public_id}


def rows(Row, statuses) -> dict:  # noqa: N803 - the matrix's own names
    only_trainee = statuses(403, anonymous=302, trainee=200)
    return {
        "opportunities:reflect": Row(lambda w: {"pk": _accepted(w).pk}, only_trainee),
        # The opportunity's staff confirm; the deanery reads but does not confirm a Trust's.
        "opportunities:confirm": Row(
            lambda w: {"pk": _accepted(w).pk},
            statuses(
                200,
                anonymous=302,
                trainee=403,
                supervisor=403,
                deanery=403,
                other_clm=404,
                other_admin=404,
            ),
        ),
        # The host has no account: the link itself is the permission (it works once).
        "opportunities:host_confirm": Row(_host_token, statuses(200)),
        "opportunities:record": Row(lambda w: {}, only_trainee),
        "opportunities:record_pdf": Row(lambda w: {}, only_trainee),
        "opportunities:record_csv": Row(lambda w: {}, only_trainee),
        # Anyone holding the PDF may check it: it shows titles and whether each stands.
        "opportunities:record_verify": Row(_issued_record, statuses(200)),
        "opportunities:notifications": Row(lambda w: {}, statuses(200, anonymous=302)),
    }
