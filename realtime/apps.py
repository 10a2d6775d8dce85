from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        # Only a signal connection: no thread, loop or scheduler starts here.
        from realtime.broadcasting import on_queue_changed, on_seats_changed
        from seats.signals import queue_changed, seats_changed

        seats_changed.connect(on_seats_changed, dispatch_uid="realtime.broadcast")
        queue_changed.connect(on_queue_changed, dispatch_uid="realtime.queue")
