"""What Django's error reports (the DEBUG=True page, error e-mails) show of a failing frame.

Django hides settings whose names look secret, but shows every local variable of every
frame, and a webhook's frames hold the trigger's signing secret: with DEBUG=True the probe
read it from the 500 page as an anonymous caller. Local variables are shown to signed-in
staff only; everyone else sees them replaced.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class StaffOnlyLocalsFilter(SafeExceptionReporterFilter):
    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        user = getattr(request, "user", None) if request is not None else None
        if user is not None and user.is_authenticated and user.is_staff:
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
