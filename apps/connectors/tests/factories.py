import factory

from apps.connectors.models import Connector, ConnectorOperation


class ConnectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connector

    slug = factory.Sequence(lambda n: f"connector-{n}")
    name = factory.Sequence(lambda n: f"Connector {n}")
    category = Connector.Category.API
    base_url = "https://api.example.com"
    description = "An example API."


class OperationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConnectorOperation

    connector = factory.SubFactory(ConnectorFactory)
    key = factory.Sequence(lambda n: f"op{n}")
    name = factory.Sequence(lambda n: f"Operation {n}")
    method = ConnectorOperation.Method.GET
    path = factory.Sequence(lambda n: f"/things/{n}")
    parameters_schema = factory.LazyFunction(
        lambda: {"type": "object", "properties": {}, "additionalProperties": False}
    )
