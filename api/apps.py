from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api.v1 import idempotency
        from seats import housekeeping

        housekeeping.register("idempotency keys", idempotency.forget_expired)
