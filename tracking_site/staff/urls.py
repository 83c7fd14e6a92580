"""/staff/: the console, its login, and Django admin's read-only view of the PostPlus feed."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from tracking_site.staff import stuck_parcels, views

# No app namespace: admin's own "admin" namespace must stay at the top level for its reverse() calls.
urlpatterns = [
    path("", views.index, name="staff_index"),
    path("login/", views.login, name="staff_login"),
    path("logout/", views.logout, name="staff_logout"),
    path("search/<slug:slug>/", views.search, name="staff_search"),
    path("stuck/", stuck_parcels.stuck, name="staff_stuck_parcels"),
    # One sign-in page, with its rate limit, for the console and the admin alike.
    path("admin/login/", RedirectView.as_view(pattern_name="staff_login", query_string=True)),
    path("admin/", admin.site.urls),
]
