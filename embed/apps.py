from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "embed"
    verbose_name = "Embedded seat maps: publishable keys"
    default_auto_field = "django.db.models.BigAutoField"
