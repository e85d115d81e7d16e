from django.db import migrations

from observatoire.core.search import UpdateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("cas_usage", "0004_remove_usecase_use_case_facets_and_more")]

    operations = [UpdateSearchIndex("cas_usage.UseCase", ["title", "summary", "body"])]
