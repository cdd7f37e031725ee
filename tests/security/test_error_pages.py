"""Issue 11, defect 2 (the DEBUG page): an error report shows no frame variable, and so no
secret a frame held, to anyone but signed-in staff."""

from __future__ import annotations

import sys

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.views.debug import technical_500_response

from apps.workspaces.tests.factories import UserFactory

CANARY = "-".join(["whsec", "debugpage", "canary", "71c2"])  # not in any source line


def _fail_holding_a_secret() -> None:
    signing_secret = CANARY  # noqa: F841 - a local of the failing frame, as in webhook code
    raise ValueError("out of range float values are not JSON compliant")


def _report(user) -> str:
    request = RequestFactory().post("/hooks/token", b'{"a": NaN}', content_type="application/json")
    request.user = user
    try:
        _fail_holding_a_secret()
    except ValueError:
        return technical_500_response(request, *sys.exc_info()).content.decode()
    raise AssertionError("unreachable")


@pytest.mark.django_db
def test_an_anonymous_caller_sees_no_frame_variables(settings):
    settings.DEBUG = True
    page = _report(AnonymousUser())
    assert "_fail_holding_a_secret" in page  # the traceback itself is still there
    assert CANARY not in page
    member = UserFactory()
    assert CANARY not in _report(member)  # signed in, but not staff


@pytest.mark.django_db
def test_staff_still_see_them(settings):
    settings.DEBUG = True
    assert CANARY in _report(UserFactory(is_staff=True))
