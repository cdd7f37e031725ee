"""Form hints a block declares next to its config schema, where JSON Schema says too little.

JSON Schema tells the form *what* a value is; a :class:`UiHint` tells it *how* to edit it
(a key-value table for headers, a code box for a body, the URL right on the node card).
Hints are checked when the block registers, so a typo names the block at startup instead
of silently giving a worse form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["WIDGETS", "UiHint", "ui_hint_errors"]

# The widgets the frontend form knows; anything else is refused at registration.
WIDGETS = frozenset(
    {"text", "textarea", "code", "key_value", "condition_list", "string_list", "credential",
     "select", "json"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class UiHint:
    """How the form edits one top-level config field.

    ``show_when``: show the field only while every named sibling field has that value
    (``{"body_type": ["json", "raw"]}``: a list means "any of"). ``inline``: also edited on
    the node card itself. ``hidden``: accepted in configs but left out of the form (legacy
    shorthands). ``group``: fields sharing a group are shown together under that title.
    """

    widget: str | None = None
    placeholder: str = ""
    group: str = ""
    show_when: Mapping[str, Any] = field(default_factory=dict)
    inline: bool = False
    hidden: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "widget": self.widget,
            "placeholder": self.placeholder,
            "group": self.group,
            "show_when": dict(self.show_when),
            "inline": self.inline,
            "hidden": self.hidden,
        }


def ui_hint_errors(ui: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Why ``ui`` does not fit ``schema`` (empty when it does)."""
    properties = schema.get("properties") or {}
    problems: list[str] = []
    for name, hint in ui.items():
        if not isinstance(hint, UiHint):
            problems.append(f"ui[{name!r}] must be a UiHint")
            continue
        if name not in properties:
            problems.append(f"ui names unknown config field {name!r}")
        if hint.widget is not None and hint.widget not in WIDGETS:
            problems.append(f"ui[{name!r}] has unknown widget {hint.widget!r}")
        for other in hint.show_when:
            if other not in properties:
                problems.append(f"ui[{name!r}].show_when names unknown config field {other!r}")
        if hint.inline and hint.hidden:
            problems.append(f"ui[{name!r}] cannot be both inline and hidden")
    return problems
