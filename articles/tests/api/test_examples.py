"""The API documentation's examples work on a fresh installation: each one, tried against the demo
library that `load_demo` creates, answers with what it shows instead of a 400 or a 404."""

import pytest
from django.core.management import call_command

from articles.api.examples import BRIEF_EXAMPLE, WRITE_EXAMPLE
from articles.models import Article, Field, Role, Source, Status, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


@pytest.fixture
def openapi(api):
    return api.get("/api/schema/?format=json").json()


def _path_examples(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path":
                    continue
                for example in parameter.get("examples", {}).values():
                    yield method, path.replace("{" + parameter["name"] + "}", example["value"])


def test_every_path_example_in_the_schema_answers_200_on_the_demo(demo, api, openapi):
    reads = sorted({path for method, path in _path_examples(openapi) if method == "get"})
    assert len(reads) >= 4  # a brief, a field, a topic, a role
    for path in reads:
        assert api.get(path).status_code == 200, path


def test_every_query_example_of_the_brief_list_answers_200_with_briefs_on_the_demo(demo, api, openapi):
    parameters = openapi["paths"]["/api/v1/articles/"]["get"]["parameters"]
    examples = {p["name"]: e["value"] for p in parameters for e in p.get("examples", {}).values()}
    assert {"q", "role", "area", "field", "topic", "source"} <= set(examples)
    for name, value in examples.items():
        response = api.get("/api/v1/articles/", {name: value})
        assert response.status_code == 200, (name, value, response.content[:300])
        assert response.json()["results"], f"the example {name}={value} finds nothing in the demo"
    combined = api.get("/api/v1/articles/", examples)
    assert combined.status_code == 200 and combined.json()["results"]


def test_the_documented_new_draft_is_created_on_the_demo(demo, curator_api):
    response = curator_api.post("/api/v1/articles/", WRITE_EXAMPLE, format="json")
    assert response.status_code == 201, response.content
    draft = Article.objects.get(slug=response.json()["slug"])
    assert draft.status == Status.DRAFT
    assert [(note.role.slug, note.text) for note in draft.role_notes.all()] == [
        (note["role"], note["text"]) for note in WRITE_EXAMPLE["role_notes"]
    ]


def test_the_documented_brief_is_a_published_demo_brief_with_the_slugs_it_shows(demo, api):
    response = api.get(BRIEF_EXAMPLE["api_url"].replace("https://distillery.example", ""))
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == BRIEF_EXAMPLE["title"]
    assert body["original_url"] == BRIEF_EXAMPLE["original_url"]
    assert Source.objects.filter(slug=BRIEF_EXAMPLE["source"]["slug"]).exists()
    assert Field.objects.filter(slug=BRIEF_EXAMPLE["fields"][0]["slug"]).exists()
    assert Field.objects.filter(slug=BRIEF_EXAMPLE["fields"][0]["area"]["slug"], parent=None).exists()
    assert Topic.objects.filter(slug=BRIEF_EXAMPLE["topics"][0]["slug"]).exists()
    assert Role.objects.filter(slug=BRIEF_EXAMPLE["roles"][0]["slug"]).exists()
    related = BRIEF_EXAMPLE["related"][0]["slug"]
    assert api.get(f"/api/v1/articles/{related}/").status_code == 200
