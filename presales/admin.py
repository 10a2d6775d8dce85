from django.contrib import admin

from presales.models import ChannelAccess


@admin.register(ChannelAccess)
class ChannelAccessAdmin(admin.ModelAdmin):
    """The log of codes entered: read only."""

    list_display = ("at", "event", "channel", "outcome", "holder")
    list_filter = ("outcome",)
    ordering = ("-at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
