from django.apps import AppConfig


class TrackingSiteConfig(AppConfig):
    name = "tracking_site"
    verbose_name = "Parcel tracking"

    def ready(self) -> None:
        from tracking_site import checks  # noqa: F401 - registers the system checks
