"""Create the Curator and Editor groups with their permissions (DESIGN.md, "Statuses and roles of staff")."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR = [
    ("articles", "article", ["view", "add", "change"]),
    ("articles", "relatedlink", ["view", "add", "change", "delete"]),
    ("articles", "topic", ["view", "add", "change"]),
    ("articles", "field", ["view"]),
    ("articles", "role", ["view"]),
    ("articles", "source", ["view"]),
    ("articles", "ingestionrun", ["view"]),
]
EDITOR_EXTRA = [
    ("articles", "article", ["delete", "publish", "reject", "archive"]),
    ("articles", "field", ["add", "change", "delete"]),
    ("articles", "role", ["add", "change", "delete"]),
    ("articles", "topic", ["delete"]),
    ("articles", "source", ["add", "change", "delete"]),
]


def _permissions(apps, spec, using):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, model, actions in spec:
        for action in actions:
            codename = f"{action}_{model}"
            found.append(Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename))
    return found


def create_groups(apps, schema_editor):
    # In the database being migrated, which is not always "default" (a restore into another alias).
    using = schema_editor.connection.alias
    # Permissions are normally created after all migrations; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    curator, _ = Group.objects.using(using).get_or_create(name="Curator")
    curator.permissions.add(*_permissions(apps, CURATOR, using))
    editor, _ = Group.objects.using(using).get_or_create(name="Editor")
    editor.permissions.add(*_permissions(apps, CURATOR + EDITOR_EXTRA, using))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name__in=["Curator", "Editor"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
