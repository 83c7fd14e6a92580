"""Following's addresses: beside each parcel's permalink, plus the email links and the service worker."""

from django.urls import path

from tracking_site.following import views

urlpatterns = [
    path("track/<slug:carrier>/<str:number>/feed.atom", views.parcel_feed, name="parcel_feed"),
    path("track/<slug:carrier>/<str:number>/calendar.ics", views.parcel_calendar, name="parcel_calendar"),
    path("track/<slug:carrier>/<str:number>/follow/push", views.follow_push, name="follow_push"),
    path("track/<slug:carrier>/<str:number>/follow/push/stop", views.unfollow_push, name="unfollow_push"),
    path("track/<slug:carrier>/<str:number>/follow/email", views.follow_email, name="follow_email"),
    path("track/<slug:carrier>/<str:number>/follow/email/sent", views.follow_email_sent, name="follow_email_sent"),
    path("follow/email/confirm/<str:token>/", views.confirm_email, name="follow_email_confirm"),
    path("follow/email/unsubscribe/<str:token>/", views.unsubscribe_email, name="follow_email_unsubscribe"),
    # The service worker's scope is the folder it is served from: the root, for every page.
    path("sw.js", views.service_worker, name="service_worker"),
]
