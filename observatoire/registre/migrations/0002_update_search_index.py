from django.db import migrations

from observatoire.core.search import UpdateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("registre", "0001_initial")]

    operations = [UpdateSearchIndex("registre.Entry", ["name", "summary", "body"])]
