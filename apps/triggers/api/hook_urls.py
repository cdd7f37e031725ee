from django.urls import path

from apps.triggers.api.hooks import hook, hook_test

urlpatterns = [
    path("test/<str:token>", hook_test, name="hook-test"),
    path("<str:token>", hook, name="hook"),
]
