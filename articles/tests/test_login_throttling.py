"""Login throttling for the curation panel (django-axes): wrong passwords for one user name from one
address lock that pair out for a while, with a page that says how long; nobody else is affected."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from articles.tests.factories import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor_account(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    user = make_staff("Editor")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return client.get(reverse("admin:index")).status_code == 200


def test_five_wrong_passwords_lock_the_user_name_at_that_address_and_say_how_long(client, editor_account):
    for _ in range(4):
        assert sign_in(client, editor_account.username, "wrong").status_code == 200  # the form again, with its error
    locked = sign_in(client, editor_account.username, "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Signing in is locked for 15 minutes" in page
    assert f"“{editor_account.username}”" in page

    # Even the right password is refused until the wait is over.
    again = sign_in(client, editor_account.username, PASSWORD)
    assert again.status_code == 429
    assert not signed_in(client)


def test_the_lock_holds_for_that_pair_only(client, editor_account):
    other = make_staff("Curator")
    other.set_password(PASSWORD)
    other.save()
    for _ in range(5):
        sign_in(client, editor_account.username, "wrong")

    assert sign_in(client, other.username, PASSWORD).status_code == 302  # another user, same address
    client.logout()
    assert sign_in(client, editor_account.username, PASSWORD, address="198.51.100.9").status_code == 302
    assert signed_in(client)


def test_signing_in_after_the_wait_works_again(client, editor_account):
    for _ in range(5):
        sign_in(client, editor_account.username, "wrong")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))

    assert sign_in(client, editor_account.username, PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_clears_earlier_failures(client, editor_account):
    for _ in range(4):
        sign_in(client, editor_account.username, "wrong")
    assert sign_in(client, editor_account.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert sign_in(client, editor_account.username, "wrong").status_code == 200
