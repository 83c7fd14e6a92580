from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EstimatesConfig(AppConfig):
    """Arrival estimates: their model, the periodic flush (tasks.py) and the demo's observations."""

    name = "tracking_site.estimates"
    label = "estimates"
    verbose_name = "Arrival estimates"

    def ready(self) -> None:
        from tracking_site.estimates.demo import load_demo_observations

        post_migrate.connect(load_demo_observations, sender=self, dispatch_uid="estimates-demo-observations")
