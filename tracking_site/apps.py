from django.apps import AppConfig


class TrackingSiteConfig(AppConfig):
    name = "tracking_site"
    verbose_name = "Parcel tracking"

    def ready(self) -> None:
        from carriers.drift import ALARM
        from tracking_site import checks  # noqa: F401 - registers the system checks
        from tracking_site.metrics.instruments import answer_drift

        ALARM.add_listener(answer_drift)
