"""The signed-in caller of an API view, typed for the services it is handed to."""

from django.contrib.auth.models import User
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request


def caller(request: Request) -> User:
    """``request.user`` once authentication is required (the API's default permission):
    an anonymous user here would be a view that forgot it, so it answers 401."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
