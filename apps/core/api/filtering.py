"""Filters for every list: related ids never reveal whether an object exists elsewhere.

django-filter's default for a foreign key is a ModelChoiceFilter over *all* rows, so
``?workflow=<another workspace's id>`` answered 200 (empty) while a random id answered 400
("select a valid choice"): the difference told a caller which ids exist. Here a related id
is only parsed (a malformed one is a 400 whatever exists) and then filters the caller's
already scoped queryset, so an id the caller cannot see answers like an unknown one: 200,
empty. Dates are compared in UTC, so an offset PostgreSQL cannot store is no 500.

django-filter also reads an empty value as "no filter" and any unknown boolean spelling as
"no filter"; both answered 200 to requests the published schema calls invalid
(``?status=``, ``?is_active=maybe``). ``StrictQueryForm`` makes them 400s naming the field;
an empty text filter (``?search=``, ``?delivery_id=``) still means "no filter".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend


class UTCDateTimeField(forms.DateTimeField):
    """ISO 8601, normalised to UTC (``+22:25`` is a valid offset for Python, not for PostgreSQL)."""

    def to_python(self, value: Any) -> datetime | None:
        parsed = django_filters.fields.IsoDateTimeField().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is before datetime.min in UTC
            raise forms.ValidationError("Out of range.", code="invalid") from None


BOOLEAN_SPELLINGS = frozenset({"true", "false", "1", "0"})


class StrictQueryForm(forms.Form):
    """The form behind every ScopedFilterSet: a typed parameter that is present must parse."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, field in self.fields.items():
            raws = (
                self.data.getlist(name)
                if hasattr(self.data, "getlist")
                else ([self.data[name]] if name in self.data else [])
            )
            if type(field) is forms.CharField:
                continue
            if any(raw == "" for raw in raws):
                self.add_error(name, "Give a value or leave the parameter out.")
            elif isinstance(field, forms.NullBooleanField) and any(
                str(raw).lower() not in BOOLEAN_SPELLINGS for raw in raws
            ):
                self.add_error(name, "Must be true or false.")
        return cleaned


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


def _id_filter(field: models.Field) -> type[django_filters.Filter]:
    target = field.target_field
    if isinstance(target, models.UUIDField):
        return django_filters.UUIDFilter
    if isinstance(target, models.IntegerField | models.AutoField):
        return django_filters.NumberFilter
    return django_filters.CharFilter


class ScopedFilterSet(django_filters.FilterSet):
    """FilterSet whose foreign keys filter by id within the (scoped) queryset."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.DateTimeField: {"filter_class": UTCDateTimeFilter},
    }

    def get_form_class(self) -> type[forms.Form]:
        # Subclasses' own Meta would drop a `form` set here; the base form is not optional.
        fields = [(name, f.field) for name, f in self.filters.items()]
        return type(f"{type(self).__name__}Form", (StrictQueryForm,), dict(fields))

    @classmethod
    def filter_for_lookup(cls, field: models.Field, lookup_type: str) -> tuple[Any, dict]:
        if field.is_relation and (field.many_to_one or field.one_to_one) and lookup_type == "exact":
            return _id_filter(field), {}
        return super().filter_for_lookup(field, lookup_type)


class ScopedFilterBackend(DjangoFilterBackend):
    """Builds ``filterset_fields`` FilterSets on ScopedFilterSet."""

    filterset_base = ScopedFilterSet
