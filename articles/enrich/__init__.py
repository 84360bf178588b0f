"""Machine first drafts of briefs: summary, takeaway, insights, taxonomy, depth, related briefs, stories.

`enrich_article(article=...)` is the entry point (tasks, the admin and the API call it), and
`enrich_articles(articles=[...])` drafts several waiting pieces in one commit;
the heavy modules load only when it runs, so importing the workflow stays cheap.
"""


def enrich_article(*, article, **options):
    from articles.enrich.turn import enrich_article as run

    return run(article=article, **options)


def enrich_articles(*, articles, **options):
    from articles.enrich.turn import enrich_articles as run

    return run(articles=articles, **options)
