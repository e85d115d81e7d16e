"""Load the demonstration data: universe, demo accounts, then each module's demo content.

  observatoire demo load

Each app may have a `demo.py` with `load(stdout)`; they run in DEMO_MODULES order and
must be idempotent, since the README's first command runs this at every start. It refuses
to run in production: the demo accounts' password is published in the README.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from observatoire.accounts.choices import Role
from observatoire.accounts.models import User
from observatoire.core import db
from observatoire.territoires import queries
from observatoire.territoires import services as territoires
from observatoire.territoires.models import Authority

DEMO_MODULES = ["questionnaires", "barometre", "registre", "cas_usage", "diagnostic"]
DEMO_PASSWORD = "demo-observatoire"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "Refusé : OBSERVATOIRE_ENV=production. Les données de démonstration créent des "
                "comptes dont le mot de passe est public."
            )
        for vintage in territoires.shipped_vintages():
            if vintage not in queries.loaded_vintages():
                self.stdout.write(f"Chargement des collectivités, millésime {vintage}…")
                territoires.import_vintage(vintage)
        self.load_users()
        for app in DEMO_MODULES:
            name = f"observatoire.{app}.demo"
            if find_spec(name) is not None:
                import_module(name).load(self.stdout)
        db.analyze()
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))

    @transaction.atomic
    def load_users(self):
        plaisir = Authority.objects.get(kind="commune", code="78490")
        accounts = [
            ("analyste@demo.observatoire.fr", "Dominique", "Analyste", Role.ANALYST, None),
            ("referent@plaisir.demo.fr", "Camille", "Référente", Role.REFERENT, plaisir),
            ("dsi@plaisir.demo.fr", "Sacha", "Collègue", Role.REFERENT, plaisir),
            ("lecteur@demo.observatoire.fr", "Lou", "Lecteur", Role.READER, None),
        ]
        for email, first, last, role, authority in accounts:
            if User.objects.filter(email=email).exists():
                continue
            user = User(
                username=email,
                email=email,
                first_name=first,
                last_name=last,
                role=role,
                authority=authority,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
