"""The strict base class every input serializer of the API derives from."""

from typing import Any

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently dropping them, and numbers or
    booleans given for a string field, which DRF's CharField would turn into text: the
    published schema says "string", so `{"note": 1e16}` is a 400, not a note "1e+16"."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name: field for name, field in self.fields.items() if not field.read_only}
            errors = {name: ["Unknown field."] for name in sorted(set(data) - set(writable))}
            errors |= {
                name: ["Not a valid string."]
                for name, field in writable.items()
                if isinstance(field, serializers.CharField)
                and data.get(name) is not None
                and not isinstance(data.get(name), str)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
