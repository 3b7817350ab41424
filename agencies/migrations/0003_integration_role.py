"""The integration-account role (API tokens, issue 9 point 10), its group, and the end of
DRF's plain-text token table: tokens are now django-rest-knox digests with an expiry.

rest_framework.authtoken is no longer installed; its table (keys in clear) is dropped here if
an older database still has it, and its migration records removed so that it could be
installed again cleanly.
"""

from django.db import migrations, models


def add_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="integration")


def drop_plaintext_tokens(apps, schema_editor):
    tables = schema_editor.connection.introspection.table_names()
    if "authtoken_token" in tables:
        schema_editor.execute(schema_editor.sql_delete_table % {"table": "authtoken_token"})
    if "django_migrations" in tables:
        schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("hotline_operator", "Hotline operator"),
                    ("caseworker", "Caseworker"),
                    ("supervisor", "Supervisor"),
                    ("administrator", "Administrator"),
                    ("integration", "Integration account"),
                ],
                max_length=32,
                verbose_name="role",
            ),
        ),
        migrations.RunPython(add_group, migrations.RunPython.noop),
        migrations.RunPython(drop_plaintext_tokens, migrations.RunPython.noop),
    ]
