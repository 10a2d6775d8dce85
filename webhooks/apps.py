from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # The bodies the outbox stores are the wire format's: set once, here,
        # so the domain (seats) never imports the wire package.
        from seats.outbox import writer
        from wire import webhooks

        writer.render_with(webhooks.body)
