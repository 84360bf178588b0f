from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from articles.models.tokens import ApiToken, TokenRefused, hash_token, issue_token, revoke_token
from articles.tests.factories import make_article, make_staff

pytestmark = pytest.mark.django_db


def _client(plaintext):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def test_issued_token_is_stored_only_as_its_hash():
    user = make_staff("Curator")
    token, plaintext = issue_token(user=user, name="Newsletter builder")
    stored = ApiToken.objects.get(pk=token.pk)
    assert plaintext.startswith(f"dst_{stored.prefix}_")
    assert stored.token_hash == hash_token(plaintext)
    row_values = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert all(plaintext not in value for value in row_values)
    assert stored.expires_at > timezone.now() + timedelta(days=89)


def test_only_active_staff_can_hold_tokens():
    reader = get_user_model().objects.create_user(username="reader", password="x" * 12)
    with pytest.raises(TokenRefused, match="only staff"):
        issue_token(user=reader, name="mine")
    assert not ApiToken.objects.exists()


def test_token_acts_as_its_staff_member_and_sees_drafts():
    draft = make_article()
    _token, plaintext = issue_token(user=make_staff("Curator"), name="bot")
    response = _client(plaintext).get(f"/api/v1/articles/{draft.slug}/")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda token: revoke_token(token=token), "revoked"),
        (lambda token: ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now()), "expired"),
    ],
)
def test_revoked_or_expired_token_is_refused_with_401(spoil, message):
    token, plaintext = issue_token(user=make_staff("Editor"), name="bot")
    spoil(token)
    response = _client(plaintext).get("/api/v1/articles/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "authentication_failed"
    assert message in response.json()["error"]["message"]


@pytest.mark.parametrize("header", ["Bearer dst_00000000_nope", "Bearer not-a-token", "Bearer", "Token a b"])
def test_unknown_or_malformed_token_is_refused_with_401(header):
    issue_token(user=make_staff("Editor"), name="bot")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/articles/")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"status", "code", "message", "fields"}


def test_token_with_right_prefix_but_wrong_secret_is_refused():
    _token, plaintext = issue_token(user=make_staff("Editor"), name="bot")
    response = _client(plaintext[:-4] + "AAAA").get("/api/v1/articles/")
    assert response.status_code == 401


def test_token_of_a_member_who_left_staff_is_refused():
    user = make_staff("Editor")
    _token, plaintext = issue_token(user=user, name="bot")
    user.is_staff = False
    user.save()
    assert _client(plaintext).get("/api/v1/articles/").status_code == 401


def test_using_a_token_records_when_it_was_last_used():
    token, plaintext = issue_token(user=make_staff("Curator"), name="bot")
    assert token.last_used_at is None
    _client(plaintext).get("/api/v1/articles/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_command_issues_lists_and_revokes_tokens():
    make_staff("Editor", username="ada")
    out, err = StringIO(), StringIO()
    call_command("api_token", "issue", "ada", "--name", "Slack bot", "--days", "7", stdout=out, stderr=err)
    plaintext = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.matches(plaintext)
    assert "will not be shown again" in err.getvalue()
    assert token.expires_at < timezone.now() + timedelta(days=8)

    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert token.display_prefix in listing.getvalue()
    assert "active" in listing.getvalue()
    assert plaintext not in listing.getvalue()

    call_command("api_token", "revoke", token.display_prefix, stdout=StringIO())
    token.refresh_from_db()
    assert token.is_revoked
    assert _client(plaintext).get("/api/v1/articles/").status_code == 401


def test_command_refuses_tokens_for_unknown_or_non_staff_users():
    get_user_model().objects.create_user(username="reader", password="x" * 12)
    with pytest.raises(CommandError, match="no user"):
        call_command("api_token", "issue", "ghost", "--name", "x", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="only staff"):
        call_command("api_token", "issue", "reader", "--name", "x", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="No token"):
        call_command("api_token", "revoke", "dst_ffffffff", stdout=StringIO())


def test_admin_issues_a_token_once_and_revokes_it(admin_client):
    member = make_staff("Curator", username="grace")
    response = admin_client.post(
        "/admin/articles/apitoken/add/", {"user": member.pk, "name": "Notebook", "days": 30}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"] if "Copy it now" in str(m)]
    assert len(shown) == 1
    plaintext = shown[0].rsplit(" ", 1)[-1]
    token = ApiToken.objects.get(user=member)
    assert token.matches(plaintext)
    # Not shown again: the change page carries only the prefix.
    page = admin_client.get(f"/admin/articles/apitoken/{token.pk}/change/").content.decode()
    assert token.display_prefix in page
    assert plaintext not in page

    admin_client.post("/admin/articles/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    token.refresh_from_db()
    assert token.is_revoked


def test_admin_offers_tokens_only_to_active_staff(admin_client):
    get_user_model().objects.create_user(username="outsider", password="x" * 12)
    page = admin_client.get("/admin/articles/apitoken/add/").content.decode()
    assert "outsider" not in page


@pytest.mark.parametrize("days", [0, 3651])
def test_token_lifetime_must_be_between_a_day_and_ten_years(days):
    with pytest.raises(TokenRefused, match="1 to 3650 days"):
        issue_token(user=make_staff("Editor"), name="bot", days=days)
    assert not ApiToken.objects.exists()


def test_staff_trusted_with_issuing_tokens_can_only_issue_their_own(client):
    from django.contrib.auth.models import Permission

    issuer = make_staff("Curator")
    issuer.user_permissions.add(*Permission.objects.filter(codename__in=["add_apitoken", "view_apitoken"]))
    boss = get_user_model().objects.create_superuser("boss", password="correct horse battery staple")
    client.force_login(issuer)

    refused = client.post("/admin/articles/apitoken/add/", {"user": boss.pk, "name": "Mine now", "days": 30})
    assert refused.status_code == 200  # the form again, with the error
    assert not ApiToken.objects.filter(user=boss).exists()

    client.post("/admin/articles/apitoken/add/", {"user": issuer.pk, "name": "My notebook", "days": 30})
    assert ApiToken.objects.filter(user=issuer, name="My notebook").exists()
