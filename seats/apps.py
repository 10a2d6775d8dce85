from django.apps import AppConfig


class SeatsConfig(AppConfig):
    name = "seats"
    verbose_name = "Seats"
    default_auto_field = "django.db.models.BigAutoField"
