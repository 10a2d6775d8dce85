from django.apps import AppConfig


class PresalesConfig(AppConfig):
    name = "presales"
    verbose_name = "Presales: access codes of sales channels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from presales import access
        from seats import housekeeping

        housekeeping.register("presale code attempts", access.forget_old)
