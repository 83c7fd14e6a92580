from django.apps import AppConfig


class FollowingConfig(AppConfig):
    """Following: its models (under the site's one app label, tracking_site), Huey tasks, template tags and
    commands."""

    name = "tracking_site.following"
    label = "following"
    verbose_name = "Following parcels"
