"""Webhook verification presets: a catalogue of provider conventions kept as data.

A preset says how a provider signs (header, HMAC algorithm, encoding, prefixes, the layout
of a multi-value header, what exactly is signed), how old a delivery may be (timestamp
header and tolerance), where its delivery id is (header, or a JMESPath into a JSON body)
and which handshake it expects (Slack ``url_verification``, ``hub.challenge``,
``validationToken``). The built-in ones live in ``catalogue/webhook_presets.json``; a
connector adds its own with :func:`preset_register`. Only the few signing *shapes* are code
(``signatures.py``); a new provider that uses one of them is a catalogue edit.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

CATALOGUE = Path(__file__).resolve().parent / "catalogue" / "webhook_presets.json"
CHALLENGES = ("slack_url_verification", "hub_challenge", "validation_token")

_HEADER = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[A-Za-z0-9-]+$"}
PRESET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["key", "title"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": r"^[a-z][a-z0-9_]{0,63}$"},
        "title": {"type": "string", "minLength": 1, "maxLength": 100},
        "signature": {
            "type": "object",
            "required": ["header", "algorithm", "encoding"],
            "additionalProperties": False,
            "properties": {
                "header": _HEADER,
                "algorithm": {"enum": ["sha1", "sha256", "sha512"]},
                "encoding": {"enum": ["hex", "base64"]},
                # Accepted prefixes of a signature value ("" = bare); the first that matches
                # is stripped.
                "prefixes": {"type": "array", "items": {"type": "string", "maxLength": 20}},
                # single: the header is one signature; kv: "t=..,v1=..,v1=.." (Stripe);
                # list: "v1,<sig> v1,<sig>" (Standard Webhooks).
                "format": {"enum": ["single", "kv", "list"], "default": "single"},
                "kv": {
                    "type": "object",
                    "required": ["separator", "assign", "signature_key"],
                    "properties": {
                        "separator": {"type": "string", "minLength": 1},
                        "assign": {"type": "string", "minLength": 1},
                        "signature_key": {"type": "string", "minLength": 1},
                        "timestamp_key": {"type": "string", "minLength": 1},
                    },
                },
                "list": {
                    "type": "object",
                    "required": ["separator", "version_prefix"],
                    "properties": {
                        "separator": {"type": "string", "minLength": 1},
                        "version_prefix": {"type": "string"},
                    },
                },
                # What is signed; placeholders {body} (raw bytes), {timestamp}, {id}.
                "signed_payload": {"type": "string", "default": "{body}"},
                # How the stored secret becomes the HMAC key (default: its UTF-8 bytes).
                "secret": {
                    "type": "object",
                    "properties": {
                        "prefix": {"type": "string"},
                        "encoding": {"enum": ["raw", "base64"]},
                    },
                },
            },
        },
        "timestamp": {
            "type": "object",
            "required": ["tolerance_s"],
            "additionalProperties": False,
            "properties": {
                "header": _HEADER,
                "from_signature": {"type": "boolean"},
                "tolerance_s": {"type": "integer", "minimum": 1, "maximum": 86400},
            },
        },
        "message_id": {"type": "object", "required": ["header"], "properties": {"header": _HEADER}},
        "delivery_id": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "header": _HEADER,
                "body": {"type": "string", "minLength": 1, "maxLength": 200},
            },
        },
        "challenges": {"type": "array", "items": {"enum": list(CHALLENGES)}},
        "generated_secret": {
            "type": "object",
            "properties": {
                "prefix": {"type": "string"},
                "bytes": {"type": "integer", "minimum": 16, "maximum": 64},
                "encoding": {"enum": ["base64", "urlsafe"]},
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(PRESET_SCHEMA)


class PresetError(ValueError):
    """A preset entry is invalid or its key is taken."""


_presets: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()
_loaded = False


def preset_register(data: dict[str, Any]) -> None:
    """Validate and add one preset (refuses duplicates); connectors call this at startup."""
    errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = ".".join(str(p) for p in errors[0].absolute_path) or "(root)"
        raise PresetError(f"webhook preset {data.get('key')!r}: {where}: {errors[0].message}")
    signature = data.get("signature") or {}
    layout = signature.get("format", "single")
    if layout in ("kv", "list") and layout not in signature:
        raise PresetError(f"webhook preset {data['key']!r}: format {layout!r} needs {layout!r}")
    with _lock:
        if data["key"] in _presets:
            raise PresetError(f"webhook preset {data['key']!r} is already registered")
        _presets[data["key"]] = data


def _load() -> None:
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        entries = json.loads(CATALOGUE.read_text())["presets"]
        _loaded = True
    for entry in entries:
        preset_register(entry)


def preset_get(key: str) -> dict[str, Any] | None:
    _load()
    return _presets.get(key)


def preset_list() -> list[dict[str, Any]]:
    _load()
    return [_presets[k] for k in sorted(_presets)]


def preset_resolve(verification: dict[str, Any]) -> dict[str, Any]:
    """The preset named by a node's ``verification`` config, with its overrides applied."""
    preset = preset_get(verification.get("preset", "none"))
    if preset is None:
        raise PresetError(f"unknown verification preset {verification.get('preset')!r}")
    resolved = json.loads(json.dumps(preset))  # a private deep copy
    if "header" in verification and "signature" in resolved:
        resolved["signature"]["header"] = verification["header"]
    if "tolerance_s" in verification and "timestamp" in resolved:
        resolved["timestamp"]["tolerance_s"] = verification["tolerance_s"]
    return resolved
