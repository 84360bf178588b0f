from django.conf import settings

from articles.web.readers import chosen_role_slugs


def site(request):
    # The chosen roles' slugs cost no query; cards mark the roles a reader follows.
    return {"SITE_NAME": settings.SITE_NAME, "reader_roles": chosen_role_slugs(request)}
