"""Django admin: the stored PostPlus feed and its cursor, to look at only (the feed is written by sync runs)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tracking_site.postplus_feed.models import FeedCursor, StoredFeedEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to staff, never edited by hand: the data belongs to the sync command."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


@admin.register(StoredFeedEvent)
class StoredFeedEventAdmin(ReadOnlyAdmin):
    list_display = ("event_time", "parcel_nr", "event_code", "event_message", "event_location", "event_version")
    list_filter = ("event_code", "destination_country")
    search_fields = ("parcel_nr", "carrier_parcel_nr", "event_id")
    date_hierarchy = "event_time"


@admin.register(FeedCursor)
class FeedCursorAdmin(ReadOnlyAdmin):
    list_display = ("feed", "start_date", "pages_stored", "events_stored", "last_caught_up_at", "locked_until")
