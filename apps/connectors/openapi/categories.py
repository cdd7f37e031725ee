"""Map category hints in documents (APIs.guru's ``x-apisguru-categories``) to catalogue ones.

Values are ``Connector.Category`` values; a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable

HINTS: dict[str, str] = {
    "messaging": "messaging",
    "email": "messaging",
    "telecom": "messaging",
    "social": "messaging",
    "collaboration": "productivity",
    "project_management": "productivity",
    "time_management": "productivity",
    "forms": "productivity",
    "education": "productivity",
    "developer_tools": "developer",
    "tools": "developer",
    "hosting": "developer",
    "cloud": "developer",
    "monitoring": "dashboard",
    "analytics": "dashboard",
    "machine_learning": "ml_model",
    "text": "ml_model",
    "search": "search",
    "storage": "storage",
    "backend": "database",
    "customer_relation": "crm",
    "support": "crm",
    "enterprise": "crm",
    "payment": "payments",
    "financial": "payments",
    "ecommerce": "payments",
    "marketing": "marketing",
    "open_data": "api",
    "media": "api",
    "location": "api",
    "transport": "api",
    "entertainment": "api",
    "iot": "api",
    "security": "developer",
}


def guess_category(hints: Iterable[str], default: str = "api") -> str:
    """The catalogue category of the first hint that maps to one."""
    for hint in hints:
        category = HINTS.get(hint.lower())
        if category:
            return category
    return default
