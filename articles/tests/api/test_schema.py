import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from articles.api.schema import PATH_EXAMPLES, QUERY_EXAMPLES
from articles.models import RelatedLink, Status
from articles.models.tokens import issue_token
from articles.tests.factories import (
    make_area,
    make_article,
    make_role,
    make_source,
    make_staff,
    make_subfield,
    make_topic,
)
from portal.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_documents_every_operation_with_its_errors(openapi):
    operations = {
        (method.upper(), path): operation
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "patch"}
    }
    assert ("GET", "/api/v1/articles/") in operations
    assert ("POST", "/api/v1/articles/{slug}/publish/") in operations
    assert ("PATCH", "/api/v1/articles/{slug}/") in operations
    for (method, path), operation in operations.items():
        responses = operation["responses"]
        assert "429" in responses, (method, path)
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                schema_ref = response["content"]["application/json"]["schema"]["$ref"]
                assert schema_ref.endswith("/Error"), (method, path, code)
        assert "401" in responses, (method, path)
        if method != "GET":
            assert "403" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
    assert "412" in operations[("PATCH", "/api/v1/articles/{slug}/")]["responses"]
    list_parameters = {p["name"]: p for p in operations[("GET", "/api/v1/articles/")]["parameters"]}
    assert {"q", "role", "area", "field", "topic", "source", "level", "length", "ordering", "cursor"} <= set(
        list_parameters
    )
    assert list_parameters["role"]["examples"]["role"]["value"] == "cto"
    assert list_parameters["level"]["schema"]["enum"]
    assert openapi["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    detail = operations[("GET", "/api/v1/articles/{slug}/")]["responses"]
    assert detail["200"]["content"]["application/json"]["examples"]
    assert detail["404"]["content"]["application/json"]["examples"]
    create = operations[("POST", "/api/v1/articles/")]
    assert create["requestBody"]["content"]["application/json"]["examples"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_work_offline(api, path):
    page = api.get(path).content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    scripts = re.findall(r'src="/static/([^"]+\.js)"', page)
    assert scripts
    assert all(finders.find(script) for script in scripts)  # shipped with the app, nothing fetched


# Loaded once, in-process through the WSGI app: building the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
FUZZ = settings(
    max_examples=15,
    derandomize=True,  # the same cases on every run: a failure here is reproducible
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# Filter values and taxonomy in a body are slugs of existing objects, which a schema cannot
# enumerate: a well-formed but unknown slug is rightly a 400 naming the parameter, which this
# check would count as "a schema-valid request rejected". Every other check runs.
NOT_EXPRESSIBLE = [positive_data_acceptance]


@pytest.fixture
def briefs_to_fuzz(db):
    """Objects named as in the schema's examples, so example requests reach real briefs and taxonomy."""
    make_source(name="Example Weekly", slug=QUERY_EXAMPLES["source"])
    area = make_area("Technology & Digital", slug=QUERY_EXAMPLES["area"])
    subfield = make_subfield(area, "AI & ML", slug=QUERY_EXAMPLES["field"])
    topic = make_topic("Evaluation", slug=QUERY_EXAMPLES["topic"])
    role = make_role("CTO", slug=QUERY_EXAMPLES["role"])
    brief = make_article(
        status=Status.PUBLISHED,
        title="Evaluating agents in production",
        slug=PATH_EXAMPLES["/api/v1/articles/{slug}/"][1],
        fields=[subfield],
        topics=[topic],
        roles=[role],
    )
    other = make_article(status=Status.PUBLISHED)
    RelatedLink.objects.create(from_article=brief, to_article=other, score=0.4)
    make_article(status=Status.DRAFT)


@pytest.fixture
def editor_token(db):
    return issue_token(user=make_staff("Editor"), name="schemathesis")[1]


@schema.parametrize()
@FUZZ
def test_api_honours_its_schema_with_a_token(case, briefs_to_fuzz, editor_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {editor_token}"}, excluded_checks=NOT_EXPRESSIBLE)


@schema.include(method="GET").parametrize()
@FUZZ
def test_api_honours_its_schema_anonymously(case, briefs_to_fuzz):
    case.call_and_validate(excluded_checks=NOT_EXPRESSIBLE)
