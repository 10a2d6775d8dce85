from django.apps import AppConfig


class PresalesConfig(AppConfig):
    name = "presales"
    verbose_name = "Presales: access codes of sales channels"
    default_auto_field = "django.db.models.BigAutoField"
