"""Admin screens. Seat state is read-only here: changes go through services."""

from django.contrib import admin, messages
from django.utils import timezone

from seats import services
from seats.errors import SeatError
from seats.models import Activity, Booking, Event, Hold, PriceCategory, Seat


class PriceCategoryInline(admin.TabularInline):
    model = PriceCategory
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_at", "version"]
    readonly_fields = ["version"]
    inlines = [PriceCategoryInline]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["label", "event", "category", "holder", "held_until", "booking"]
    list_filter = ["event", "category"]
    search_fields = ["label", "holder"]
    readonly_fields = ["hold", "holder", "held_until", "booking"]


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ["token", "event", "holder", "created_at", "expires_at"]
    list_filter = ["event"]
    readonly_fields = [
        "token",
        "event",
        "holder",
        "created_at",
        "expires_at",
        "max_expires_at",
    ]
    actions = ["release_holds"]

    @admin.action(description="Release the seats of the selected holds")
    def release_holds(self, request, queryset):
        now = timezone.now()
        released = 0
        for hold in queryset:
            seat_ids = list(hold.seats.held_at(now).values_list("id", flat=True))
            if not seat_ids:
                continue
            try:
                released += len(
                    services.release_seats(
                        event_id=hold.event_id,
                        holder=hold.holder,
                        seat_ids=seat_ids,
                        now=now,
                    )
                )
            except SeatError as error:
                self.message_user(request, f"{hold}: {error.message}", messages.WARNING)
        self.message_user(request, f"Released {released} seat(s).")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["reference", "event", "holder", "created_at"]
    search_fields = ["reference", "holder"]
    readonly_fields = ["reference", "event", "holder", "created_at"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["at", "event", "seat", "kind", "holder", "version"]
    list_filter = ["kind", "event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
