import importlib
import os
from dataclasses import dataclass

import pytest
from django.test import Client

from trusts.models import Role, Trust, User

from .factories import InvitationFactory, TrustFactory, person

# Reference rows that a data migration loads (the GMC's GPC domains).
GPC_DOMAINS = importlib.import_module("mentors.migrations.0002_gpc_domains").DOMAINS
DB_FIXTURES = {"db", "transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def _migration_reference_data(request):
    """Put back the rows the migrations load, before every test that uses the database.

    A transactional test (browser journeys, a real worker, concurrency) empties every table
    when it ends, reference data included; the tests after it on the same worker expect the
    migrated database.
    """
    if not (
        request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)
    ):
        return
    from mentors.models import GPCDomain

    request.getfixturevalue("django_db_setup")  # the test database, never DATABASE_URL's own
    with request.getfixturevalue("django_db_blocker").unblock():
        if GPCDomain.objects.count() < len(GPC_DOMAINS):
            GPCDomain.objects.bulk_create(
                [GPCDomain(number=n, name=name) for n, name in GPC_DOMAINS],
                ignore_conflicts=True,
            )


def report_files_storage():
    """The storage report files are kept in (settings_test: in memory, per process)."""
    from reports.models import Generation

    return Generation._meta.get_field("pdf").storage


@pytest.fixture(autouse=True)
def _forget_parsed_figures():
    """The regional figures and the surveys' published figures parsed in this process, and
    what was built from them, belong to one test's database."""
    yield
    from reports import regional
    from surveys import analysis as surveys_analysis

    regional._PARSED.clear()
    regional._BUILT.clear()
    surveys_analysis._PARSED.clear()


@pytest.fixture(autouse=True)
def _empty_report_files():
    """Each test starts with no report files: the in-memory store outlives a test."""
    yield
    storage = report_files_storage()
    folders, _ = storage.listdir("")
    for folder in folders:
        for name in storage.listdir(folder)[1]:
            storage.delete(f"{folder}/{name}")


def services_required() -> bool:
    """CI sets REQUIRE_SERVICES=1: a missing database, broker or browser is then a failure."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


def need(service: str, available: bool, why: str = "") -> None:
    if available:
        return
    message = f"{service} is not available{': ' + why if why else ''}"
    if services_required():
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
def postgres():
    """For tests of real row locks: skip elsewhere (fail under REQUIRE_SERVICES=1)."""
    from django.db import connection

    need("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL one")


@dataclass
class World:
    """Two Trusts with a person in every role, and deanery staff over both."""

    trust: Trust
    other_trust: Trust
    trainee: User
    supervisor: User
    clm: User
    trust_admin: User
    deanery: User
    other_clm: User
    other_admin: User
    other_trainee: User


@pytest.fixture
def world(db) -> World:
    trust = TrustFactory(ods_code="RK9", name="University Hospitals Plymouth NHS Trust")
    other = TrustFactory(ods_code="REF", name="Royal Cornwall Hospitals NHS Trust")
    supervisor = person(Role.SUPERVISOR, trust, name="Sam Supervisor")
    trainee = person(Role.TRAINEE, trust, name="Tara Trainee")
    trainee.trainee_profile.educational_supervisor = supervisor
    trainee.trainee_profile.save()
    return World(
        trust=trust,
        other_trust=other,
        trainee=trainee,
        supervisor=supervisor,
        clm=person(Role.CLM, trust, name="Chris Mentor"),
        trust_admin=person(Role.TRUST_ADMIN, trust, name="Alex Admin"),
        deanery=person(Role.DEANERY, name="Dana Deanery"),
        other_clm=person(Role.CLM, other, name="Olly Othermentor"),
        other_admin=person(Role.TRUST_ADMIN, other, name="Olga Otheradmin"),
        other_trainee=person(Role.TRAINEE, other, name="Omar Othertrainee"),
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def trainee_client(world):
    return client_for(world.trainee)


@pytest.fixture
def supervisor_client(world):
    return client_for(world.supervisor)


@pytest.fixture
def clm_client(world):
    return client_for(world.clm)


@pytest.fixture
def trust_admin_client(world):
    return client_for(world.trust_admin)


@pytest.fixture
def deanery_client(world):
    return client_for(world.deanery)


@pytest.fixture
def other_trust_clm_client(world):
    return client_for(world.other_clm)


@pytest.fixture
def other_trust_admin_client(world):
    return client_for(world.other_admin)


@pytest.fixture
def pending_invitation(world):
    return InvitationFactory(trust=world.trust, invited_by=world.trust_admin)
