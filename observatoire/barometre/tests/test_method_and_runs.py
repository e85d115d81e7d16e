"""The method page's coverage keeps one decimal; the management page's run list follows
the end of a weighting run without an inline script."""

import re

import pytest
from django.utils import timezone

from observatoire.barometre.factories import EditionFactory
from observatoire.barometre.models import WeightingRun
from observatoire.core.models import JobStatus

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def test_method_page_coverage_has_one_decimal(demo_module, client):
    """A stratum where 0.4 % of the authorities answered reads « 0,4 % », never « 0 % »."""
    page = client.get("/barometre/barometre-2024/methode/").content.decode()
    table = page[page.index("taux de couverture") : page.index("</table>")]
    rates = re.findall(rf'<td class="num">([0-9 ,{NBSP}]+){NBSP}%</td>', table)
    assert rates and all("," in rate for rate in rates), rates
    assert f">0{NBSP}%<" not in table


def test_weighting_status_poll_reloads_the_page_when_the_run_ends(client_for):
    """While the run is active the poll answers its progress; once it ended, the poll
    asks htmx to reload the page (HX-Refresh), whose run list and report are then new."""
    edition = EditionFactory()
    run = WeightingRun.objects.create(edition=edition, status=JobStatus.RUNNING)
    client = client_for("analyst")
    url = f"/barometre/{edition.code}/gestion/ponderation/"
    assert "HX-Refresh" not in client.get(url, headers={"HX-Request": "true"})
    WeightingRun.objects.filter(pk=run.pk).update(status=JobStatus.DONE, finished_at=timezone.now())
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(url)
