from django.apps import AppConfig


class PostPlusFeedConfig(AppConfig):
    """Holds the feed's management commands; its models stay in tracking_site.models (one app label)."""

    name = "tracking_site.postplus_feed"
    label = "postplus_feed"
    verbose_name = "PostPlus feed"
