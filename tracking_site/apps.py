from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackingSiteConfig(AppConfig):
    name = "tracking_site"
    verbose_name = "Parcel tracking"

    def ready(self) -> None:
        from carriers.drift import ALARM
        from tracking_site import checks  # noqa: F401 - registers the system checks
        from tracking_site.estimates.demo import load_demo_observations
        from tracking_site.metrics.instruments import answer_drift

        ALARM.add_listener(answer_drift)
        post_migrate.connect(load_demo_observations, sender=self, dispatch_uid="estimates-demo-observations")
