"""Example bodies shown in the API documentation (and used by the schema tests to reach real objects)."""

BRIEF_EXAMPLE = {
    "slug": "evaluating-agents-in-production",
    "title": "Evaluating agents in production",
    "status": "published",
    "url": "https://distillery.example/briefs/evaluating-agents-in-production/",
    "api_url": "https://distillery.example/api/v1/articles/evaluating-agents-in-production/",
    "summary": "Why offline benchmarks miss the failures that matter once an agent meets real users.",
    "takeaway": "CTOs: budget for evaluation in production before scaling an agent to more teams.",
    "insights": ["Offline scores and user outcomes diverge.", "Traces are the raw material of evaluation."],
    "principles": ["Measure what users experience."],
    "method": "A comparison of three evaluation set-ups over one quarter.",
    "in_practice": ["Log every tool call with its outcome."],
    "fields": [{"slug": "ai-ml", "name": "AI & ML", "area": {"slug": "technology", "name": "Technology & Digital"}}],
    "topics": [{"slug": "evaluation", "name": "Evaluation"}],
    "roles": [{"slug": "cto", "name": "CTO"}],
    "role_notes": [
        {
            "role": {"slug": "cto", "name": "CTO"},
            "text": "Your agents' real failure modes show up only in production traces; fund that pipeline first.",
        }
    ],
    "level": "advanced",
    "length": "medium",
    "reading_minutes": 9,
    "depth": "Advanced, medium",
    "source": {"id": 3, "slug": "example-weekly", "name": "Example Weekly", "site_url": "https://weekly.example/"},
    "attribution": "Editorial summary, takeaway, and curation by Distillery. "
    "Original article published by Example Weekly.",
    "original_url": "https://weekly.example/posts/agents-in-production",
    "author": "A. Writer",
    "original_published_at": "2026-11-20T08:00:00Z",
    "published_at": "2026-11-21T10:30:00Z",
    "updated_at": "2026-11-21T10:30:00Z",
    "related": [
        {
            "slug": "tracing-llm-calls",
            "title": "Tracing LLM calls",
            "url": "https://distillery.example/briefs/tracing-llm-calls/",
            "api_url": "https://distillery.example/api/v1/articles/tracing-llm-calls/",
            "score": 0.82,
            "kind": "computed",
        }
    ],
    "search": None,
}


WRITE_EXAMPLE = {
    "title": "Evaluating agents in production",
    "source": "example-weekly",
    "original_url": "https://weekly.example/posts/agents-in-production",
    "summary": "Why offline benchmarks miss the failures that matter once an agent meets real users.",
    "takeaway": "CTOs: budget for evaluation in production before scaling an agent to more teams.",
    "insights": ["Offline scores and user outcomes diverge."],
    "fields": ["ai-ml"],
    "topics": ["evaluation"],
    "roles": ["cto"],
    "level": "advanced",
}
