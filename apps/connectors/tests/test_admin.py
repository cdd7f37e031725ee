"""Catalogue curation through the real admin, as a staff user with the Django test client."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from apps.connectors import services
from apps.connectors.models import Connector, ConnectorOperation
from apps.connectors.outbound.testing import LocalServer, Reply
from apps.connectors.tests.documents import PETS_V3_YAML, pets_v3
from apps.connectors.tests.factories import ConnectorFactory, OperationFactory
from apps.workspaces.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:connectors_connector_changelist"


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def pets() -> Connector:
    return services.connector_import_document(data=PETS_V3_YAML, source="test").connector


def form_data(response: Any) -> dict[str, Any]:
    """The POST a browser would send for the rendered change form, unchanged."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for name, field in form.fields.items():
            value = form[name].value()  # already prepared, as the widget renders it
            if field.show_hidden_initial:  # fields with callable defaults render these too
                data[form.add_initial_prefix(name)] = "" if value is None else value
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = "" if value is None else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for form in formset.forms:
            add(form)
    return data


def test_changelist_search_filters_and_ordering(staff, pets):
    ConnectorFactory(name="Zeta Mail", slug="zeta", category="messaging", enabled=False)
    url = reverse(CHANGELIST)
    response = staff.get(url)
    assert response.status_code == 200
    assert [c.slug for c in response.context["cl"].result_list] == ["pet-clinic", "zeta"]
    assert b"Import OpenAPI" in response.content

    found = staff.get(url, {"q": "pets.example.com"}).context["cl"].result_list
    assert [c.slug for c in found] == ["pet-clinic"]
    messaging = staff.get(url, {"category__exact": "messaging"}).context["cl"].result_list
    assert [c.slug for c in messaging] == ["zeta"]
    disabled = staff.get(url, {"enabled__exact": "0"}).context["cl"].result_list
    assert [c.slug for c in disabled] == ["zeta"]
    by_ops = staff.get(url, {"o": "-5"}).context["cl"].result_list  # operation count, desc
    assert by_ops[0].slug == "pet-clinic" and by_ops[0].operation_total == 6


def test_non_staff_cannot_open_the_admin(pets):
    client = Client()
    client.force_login(UserFactory())
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(reverse("admin:connectors_connector_import")).status_code == 302


def test_saving_records_which_imported_fields_the_operator_changed(staff, pets):
    url = reverse("admin:connectors_connector_change", args=[pets.pk])
    response = staff.get(url)
    assert response.status_code == 200
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 6
    data = form_data(response)
    data["description"] = "Hand-written description."
    data["utterances"] = "book a vet visit\ncheck on my pet"
    data["order"] = "3"  # not an imported field: not tracked
    ops = response.context["inline_admin_formsets"][0].formset
    index = next(i for i, f in enumerate(ops.forms) if f.instance.key == "listPets")
    data[f"{ops.prefix}-{index}-name"] = "List the pets"
    response = staff.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    pets.refresh_from_db()
    assert pets.utterances == ["book a vet visit", "check on my pet"]
    assert pets.locally_edited == ["description", "utterances"]
    assert pets.operations.get(key="listPets").locally_edited == ["name"]
    assert pets.operations.get(key="createPet").locally_edited == []

    # The next import of a newer document keeps all three edits.
    report = services.connector_import_document(
        data=pets_v3(**{"Lists all pets.": "Lists pets.", "manages": "handles"}), source="test"
    )
    pets.refresh_from_db()
    assert pets.description == "Hand-written description."
    assert pets.operations.get(key="listPets").name == "List the pets"
    assert "listPets.name" in report.kept_local_edits


def test_unchanged_save_records_nothing(staff, pets):
    url = reverse("admin:connectors_connector_change", args=[pets.pk])
    assert staff.post(url, form_data(staff.get(url))).status_code == 302
    pets.refresh_from_db()
    assert pets.locally_edited == []
    assert not ConnectorOperation.objects.exclude(locally_edited=[]).exists()


def test_operation_admin_records_edits(staff, pets):
    op = pets.operations.get(key="getMe")
    url = reverse("admin:connectors_connectoroperation_change", args=[op.pk])
    data = form_data(staff.get(url))
    data["utterances"] = "who am I"
    data.pop("enabled")  # unticked
    assert staff.post(url, data).status_code == 302
    op.refresh_from_db()
    assert op.utterances == ["who am I"] and op.enabled is False
    assert op.locally_edited == ["enabled", "utterances"]


def test_large_connectors_link_to_operations_instead_of_inlining(staff):
    connector = ConnectorFactory()
    OperationFactory.create_batch(81, connector=connector)
    response = staff.get(reverse("admin:connectors_connector_change", args=[connector.pk]))
    assert response.context["inline_admin_formsets"] == []
    assert b"81 operations" in response.content


def test_import_from_an_uploaded_file(staff):
    url = reverse("admin:connectors_connector_import")
    assert staff.get(url).status_code == 200
    upload = SimpleUploadedFile("pets.yaml", PETS_V3_YAML.encode(), "application/yaml")
    response = staff.post(url, {"file": upload, "slug": "pets", "category": "crm"})
    connector = Connector.objects.get(slug="pets")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:connectors_connector_change", args=[connector.pk])
    assert connector.category == "crm" and connector.operations.count() == 6
    assert connector.source == "upload:pets.yaml"
    messages = [str(m) for m in staff.get(response["Location"]).context["messages"]]
    assert "pets: created; operations +6 ~0 -0" in messages


def test_import_form_errors(staff):
    url = reverse("admin:connectors_connector_import")
    response = staff.post(url, {})
    assert "Give either a file or a URL." in response.context["form"].non_field_errors()
    bad = SimpleUploadedFile("x.yaml", b"openapi: 3.0.0\ninfo: {title: x}\n")
    response = staff.post(url, {"file": bad})
    assert response.status_code == 200
    assert "The document has no 'paths'." in response.context["form"].non_field_errors()
    assert not Connector.objects.exists()


def test_import_from_a_url(staff):
    with LocalServer() as server:
        server.route("/spec.yaml", Reply(200, body=PETS_V3_YAML.encode()))
        with override_settings(OUTBOUND_ALLOWLIST=[server.netloc]):
            response = staff.post(
                reverse("admin:connectors_connector_import"), {"url": server.url("/spec.yaml")}
            )
    assert response.status_code == 302
    assert Connector.objects.get().source == server.url("/spec.yaml")


def _run_action(staff: Client, action: str, *connectors: Connector) -> Any:
    return staff.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in connectors]},
        follow=True,
    )


def test_enable_and_disable_actions(staff):
    first, second = ConnectorFactory(), ConnectorFactory()
    _run_action(staff, "disable", first, second)
    assert not Connector.objects.filter(enabled=True).exists()
    response = _run_action(staff, "enable", first)
    assert "Enabled 1 connector(s)." in [str(m) for m in response.context["messages"]]
    assert list(Connector.objects.filter(enabled=True)) == [first]


def test_test_connection_action(staff):
    with LocalServer() as server:
        server.route("/v1/me", Reply(200, body=b"{}"))
        good = ConnectorFactory(
            name="Good", base_url=server.url("/v1"), health_check_operation="me"
        )
        OperationFactory(connector=good, key="me", path="/me")
        untestable = ConnectorFactory(name="Untestable")
        with override_settings(OUTBOUND_ALLOWLIST=[server.netloc]):
            response = _run_action(staff, "test_connection", good, untestable)
    messages = {str(m).split(":")[0]: (m.level_tag, str(m)) for m in response.context["messages"]}
    assert messages["Good"][0] == "success" and "me answered HTTP 200" in messages["Good"][1]
    assert messages["Untestable"] == (
        "error",
        "Untestable: Untestable has no health-check operation.",
    )
    assert server.requests[0].path == "/v1/me"


def test_forget_local_edits_action(staff, pets):
    Connector.objects.filter(pk=pets.pk).update(locally_edited=["name"])
    _run_action(staff, "forget_local_edits", pets)
    pets.refresh_from_db()
    assert pets.locally_edited == [] and pets.import_digest == ""
