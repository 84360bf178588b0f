import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from articles.models.tokens import issue_token
from articles.tests.factories import make_staff


@pytest.fixture(autouse=True)
def generous_api_rates(settings):
    """The suite makes many requests from one address; one test lowers the rate on purpose."""
    settings.API_THROTTLE_ANON_RATE = "100000/min"
    settings.API_THROTTLE_TOKEN_RATE = "100000/min"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def _client_with_token(user) -> APIClient:
    _token, plaintext = issue_token(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def curator_api(db):
    return _client_with_token(make_staff("Curator"))


@pytest.fixture
def editor_api(db):
    return _client_with_token(make_staff("Editor"))
