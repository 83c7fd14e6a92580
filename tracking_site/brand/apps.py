from django.apps import AppConfig


class BrandConfig(AppConfig):
    """An app of its own for its system check, template tags and static-files finder."""

    name = "tracking_site.brand"
    label = "brand"
    verbose_name = "The operator's brand"

    def ready(self) -> None:
        from tracking_site.brand import checks  # noqa: F401 - registers the start check
