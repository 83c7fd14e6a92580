from django.apps import AppConfig


class FollowingConfig(AppConfig):
    """Installed for its Huey tasks (found by `run_huey`), template tags and commands; its models are
    tracking_site's (tracking_site/models.py re-exports them), so the site keeps one app label."""

    name = "tracking_site.following"
    label = "following"
    verbose_name = "Following parcels"
