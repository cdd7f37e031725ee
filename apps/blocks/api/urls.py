from django.urls import path

from apps.blocks.api.views import BlockCatalogView, BlockDetailView

urlpatterns = [
    path("blocks/", BlockCatalogView.as_view(), name="block-catalog"),
    path("blocks/<str:key>/", BlockDetailView.as_view(), name="block-detail"),
]
