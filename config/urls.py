from django.contrib import admin
from django.urls import include, path

from api import health, metrics
from frontend import catalogue

urlpatterns = [
    path("admin/", admin.site.urls),
    # set_language: the language picker's form posts here (docs/languages.md).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("api.urls")),
    # For load balancers and process managers (docs/operations.md).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # The embeddable seat map's texts, per language (docs/languages.md).
    path(
        "embed/v1/messages/<str:lang>.json",
        catalogue.messages,
        name="embed-messages",
    ),
    path("", include("frontend.urls")),
]
