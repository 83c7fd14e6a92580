from django.apps import AppConfig


class PostPlusFeedConfig(AppConfig):
    """The PostPlus event feed: its store, sync, import and commands. Its models keep the site's one app label."""

    name = "tracking_site.postplus_feed"
    label = "postplus_feed"
    verbose_name = "PostPlus feed"

    def ready(self) -> None:
        from tracking_site.lookup.sources import offer_source
        from tracking_site.postplus_feed.store import FeedSource

        offer_source(FeedSource.from_settings)  # lookup asks the stored feed before PostPlus's API
