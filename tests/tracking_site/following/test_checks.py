"""The deploy check of following."""

import pytest


def test_check_deploy_wants_an_https_site_url(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.SITE_URL = "http://track.example.com"
    with pytest.raises(SystemCheckError, match="following.E001"):
        call_command("check", deploy=True, fail_level="ERROR")
