"""Example bodies shown in the API documentation (and used by the schema tests to reach real objects).

Every slug here is one the demo library (`manage.py load_demo`, articles/demo/data.py) creates,
so a reader who tries an example against a fresh installation gets an answer, not a 400 or 404;
the schema tests load the demo and call each example.
"""

DEMO_BRIEF = "evaluating-llm-features-after-launch"
DEMO_RELATED_BRIEF = "llm-judges-agreement-gap"
DEMO_SOURCE = "latency-ledger"
DEMO_AREA = "technology-digital"
DEMO_FIELD = "ai-ml"
DEMO_TOPIC = "llm-evaluation"
DEMO_ROLE = "cto"

BRIEF_EXAMPLE = {
    "slug": DEMO_BRIEF,
    "title": "Offline benchmarks are not enough: evaluating LLM features after they ship",
    "status": "published",
    "url": f"https://distillery.example/briefs/{DEMO_BRIEF}/",
    "api_url": f"https://distillery.example/api/v1/articles/{DEMO_BRIEF}/",
    "summary": "Why offline benchmarks miss the failures that matter once an agent meets real users.",
    "takeaway": "CTOs: budget for evaluation in production before scaling an agent to more teams.",
    "insights": ["Offline scores and user outcomes diverge.", "Traces are the raw material of evaluation."],
    "principles": ["Measure what users experience."],
    "method": "A comparison of three evaluation set-ups over one quarter.",
    "in_practice": ["Log every tool call with its outcome."],
    "fields": [
        {
            "slug": DEMO_FIELD,
            "name": "Artificial Intelligence & Machine Learning",
            "area": {"slug": DEMO_AREA, "name": "Technology & Digital"},
        }
    ],
    "topics": [{"slug": DEMO_TOPIC, "name": "LLM Evaluation"}],
    "roles": [{"slug": DEMO_ROLE, "name": "CTO"}],
    "role_notes": [
        {
            "role": {"slug": DEMO_ROLE, "name": "CTO"},
            "text": "Your agents' real failure modes show up only in production traces; fund that pipeline first.",
        }
    ],
    "level": "advanced",
    "length": "medium",
    "reading_minutes": 9,
    "depth": "Advanced, medium",
    "source": {
        "id": 1,
        "slug": DEMO_SOURCE,
        "name": "The Latency Ledger",
        "site_url": "https://latency-ledger.example/",
    },
    "attribution": "Editorial summary, takeaway, and curation by Distillery. "
    "Original article published by The Latency Ledger.",
    "original_url": "https://latency-ledger.example/2026/09/your-eval-set-is-a-museum",
    "author": "Lucia Brandt",
    "original_published_at": "2026-11-20T08:00:00Z",
    "published_at": "2026-11-21T10:30:00Z",
    "updated_at": "2026-11-21T10:30:00Z",
    "related": [
        {
            "slug": DEMO_RELATED_BRIEF,
            "title": "Model-based judges agree with themselves more than with your users",
            "url": f"https://distillery.example/briefs/{DEMO_RELATED_BRIEF}/",
            "api_url": f"https://distillery.example/api/v1/articles/{DEMO_RELATED_BRIEF}/",
            "score": 0.82,
            "kind": "computed",
        }
    ],
    "search": None,
}


WRITE_EXAMPLE = {
    "title": "Evaluating agents in production",
    "source": DEMO_SOURCE,
    # Not one of the demo's originals: the example creates a new draft rather than meeting a twin.
    "original_url": "https://latency-ledger.example/2026/11/evaluating-agents-in-production",
    "summary": "Why offline benchmarks miss the failures that matter once an agent meets real users.",
    "takeaway": "CTOs: budget for evaluation in production before scaling an agent to more teams.",
    "insights": ["Offline scores and user outcomes diverge."],
    "fields": [DEMO_FIELD],
    "topics": [DEMO_TOPIC],
    "roles": [DEMO_ROLE],
    "role_notes": [{"role": DEMO_ROLE, "text": "Ask for production traces before you approve the next agent."}],
    "level": "advanced",
}
