"""System check: the shipped catalogue is readable, big enough and has the named services.

Tagged for deployment (``manage.py check --deploy``) because it decompresses the whole file;
a test runs it on every CI run.
"""

from typing import Any

from django.core.checks import Error, register

from apps.connectors.catalog import CatalogError, catalog_problems, read_catalog


@register("connectors", deploy=True)
def check_catalog(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        catalog = read_catalog()
    except CatalogError as exc:
        return [Error(str(exc), id="connectors.E001")]
    return [
        Error(
            f"The shipped catalogue is incomplete: {problem}.",
            id="connectors.E002",
            hint="Rebuild it with scripts/catalog/build_catalog.py.",
        )
        for problem in catalog_problems(catalog)
    ]
