from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.credentials.api.views import oauth_callback
from apps.observability.views import metrics_view
from config import views
from config.csp import with_csp

api_v1 = [
    path("", include("apps.workspaces.api.urls")),
    path("", include("apps.workflows.api.urls")),
    path("", include("apps.routing.api.urls")),
    path("", include("apps.connectors.api.urls")),
    path("", include("apps.blocks.api.urls")),
    path("", include("apps.triggers.api.urls")),
    path("", include("apps.credentials.api.urls")),
]

urlpatterns = [
    path("health", views.health, name="health"),
    path("ready", views.ready, name="ready"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/login/", with_csp(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include(api_v1)),
    path("hooks/", include("apps.triggers.api.hook_urls")),
    path("oauth/callback", oauth_callback, name="oauth-callback"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", RedirectView.as_view(url="/app/", permanent=False)),
    re_path(r"^app/(?P<path>.*)$", with_csp(views.spa), name="spa"),
]
