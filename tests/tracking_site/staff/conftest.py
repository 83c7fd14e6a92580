"""Staff console fixtures: a staff user signed in, and an ordinary signed-in user."""

import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a third of a second per password; these tests are about access, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("support", password=PASSWORD, is_staff=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def customer_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("customer", password=PASSWORD))
    return client
