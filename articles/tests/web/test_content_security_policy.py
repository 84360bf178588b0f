"""The reader's pages carry a strict Content-Security-Policy, and need nothing it forbids."""

import base64
import hashlib
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from conftest import PROJECT_ROOT

pytestmark = pytest.mark.django_db

READER_TEMPLATES = [
    *(PROJECT_ROOT / "templates" / "articles").glob("*.html"),
    *(PROJECT_ROOT / "templates").glob("*.html"),
]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/", "/briefs/", "/search/?q=models", "/briefs/no-such-brief/", "/feeds/rss/"])
def test_reader_pages_forbid_inline_script_and_other_origins(client, catalogue, url):
    policy = directives(client.get(url))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert not any(
        "unsafe" in value or value in ("*", "http:", "https:") for values in policy.values() for value in values
    )


def test_a_brief_page_served_from_the_cache_keeps_its_policy(client, catalogue):
    url = catalogue["briefs"]["distillation"].get_absolute_url()
    client.get(url)
    assert "script-src 'self'" in client.get(url)["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/admin/login/", "/api/v1/articles/", "/api/docs/"])
def test_the_admin_and_the_api_are_left_to_their_own_pages(client, url):
    assert "Content-Security-Policy" not in client.get(url)


def test_the_error_page_inline_style_is_allowed_by_its_hash_and_nothing_else_inline(client):
    page = render_to_string("500.html")
    style = re.search(r"<style>(.*?)</style>", page, flags=re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = directives(client.get("/"))
    assert policy["style-src"] == ["'self'", f"'sha256-{digest}'"]


@pytest.mark.parametrize("template", READER_TEMPLATES, ids=lambda path: path.name)
def test_reader_templates_hold_no_script_or_handler_the_policy_would_block(template):
    html = template.read_text(encoding="utf-8")
    scripts = re.findall(r"<script(?![^>]*application/ld\+json)[^>]*>", html)  # JSON-LD is data, never run
    assert scripts == []
    assert re.findall(r"\son[a-z]+\s*=", html) == []
    assert "javascript:" not in html
    assert " style=" not in html


def test_the_policy_can_be_replaced_by_the_operator(client, catalogue, settings):
    settings.CONTENT_SECURITY_POLICY = "default-src 'self'; report-uri /csp-reports/"
    assert client.get(reverse("articles:home"))["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
