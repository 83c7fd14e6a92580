"""Stuck parcels: followed parcels with no scan for N days, oldest first, each with its customer link.

Support staff look here for parcels customers are waiting on that have stopped moving.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from tracking_site.following.models import FollowedParcel
from tracking_site.presentation.links import absolute_url
from tracking_site.presentation.status_words import carrier_name, status_label
from tracking_site.staff.views import staff_only

SHOWN_AT_MOST = 200


class StuckForm(forms.Form):
    days = forms.IntegerField(label=_("No scan for at least (days)"), min_value=1, max_value=60, initial=3)


@dataclass(frozen=True)
class StuckParcel:
    carrier: str
    number: str
    status: str
    last_scan: datetime | None
    followed_since: datetime
    followers: int
    link: str


def stuck_parcels(now: datetime, days: int) -> list[StuckParcel]:
    """Followed parcels still on their way whose newest scan (or following, with no scan) is `days` old."""
    quiet_since = now - timedelta(days=days)
    rows = (
        FollowedParcel.objects.filter(finished_at__isnull=True)
        .annotate(quiet_from=Coalesce(F("latest_event_at"), F("followed_since")))
        .filter(quiet_from__lte=quiet_since)
        .annotate(
            followers=Count("push_subscriptions", distinct=True)
            + Count("email_subscriptions", filter=Q(email_subscriptions__confirmed_at__isnull=False), distinct=True)
        )
        .order_by("quiet_from", "pk")[:SHOWN_AT_MOST]
    )
    return [
        StuckParcel(
            carrier=carrier_name(row.carrier),
            number=row.number,
            status=status_label(row.status),
            last_scan=row.latest_event_at,
            followed_since=row.followed_since,
            followers=row.followers,
            link=absolute_url(reverse("parcel", args=[row.carrier, row.number])),
        )
        for row in rows
    ]


@require_safe
@staff_only
def stuck(request: HttpRequest) -> HttpResponse:
    form = StuckForm(request.GET or None)
    days = form.cleaned_data["days"] if form.is_valid() else StuckForm.base_fields["days"].initial
    status = 400 if request.GET and not form.is_valid() else 200
    context = {"form": form, "days": days, "parcels": stuck_parcels(timezone.now(), days)}
    return render(request, "staff/stuck_parcels.html", context, status=status)
