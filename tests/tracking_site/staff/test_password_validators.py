"""Staff passwords go through Django's validators: short, common, all-digit or username-like ones are refused."""

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.tracking_site.staff.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("Tr4ck!ng", "password_too_short"),
        ("password1234", "password_too_common"),
        ("804917365820", "password_entirely_numeric"),
        ("support-desk-2024", "password_too_similar"),
    ],
)
def test_weak_staff_passwords_are_refused(django_user_model, password, refusal):
    user = django_user_model(username="support-desk", email="support-desk@example.com", is_staff=True)
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert refusal in {error.code for error in refused.value.error_list}


def test_a_long_uncommon_passphrase_is_accepted(staff_user):
    assert validate_password(PASSWORD, staff_user) is None


def test_the_admins_set_password_form_applies_them(staff_user):
    form = SetPasswordForm(staff_user, {"new_password1": "12345678", "new_password2": "12345678"})
    assert not form.is_valid()
    assert "new_password2" in form.errors
    staff_user.refresh_from_db()
    assert staff_user.check_password(PASSWORD)
