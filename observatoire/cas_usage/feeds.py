"""Atom feed of the newest published cases."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from observatoire.cas_usage.models import UseCase


class CasesAtomFeed(Atom1Feed):
    """Atom whose entries say their language (xml:lang) when it is not the feed's, with text
    summaries: Django sends `type="html"`, and a référent's words must never be read as
    markup by a feed reader."""

    def item_attributes(self, item):
        language = item.get("language")
        return {"xml:lang": language} if language else {}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class LatestCasesFeed(Feed):
    feed_type = CasesAtomFeed
    language = "fr"
    title = _("Observatoire — nouveaux cas d'usage")
    subtitle = _("Les derniers cas d'usage de la donnée et de l'IA publiés au catalogue.")
    link = reverse_lazy("cas_usage:index")

    def items(self):
        return UseCase.objects.published().order_by("-published_at", "-pk")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_extra_kwargs(self, item):
        return {"language": item.foreign_language}

    def item_categories(self, item):
        return [item.get_domain_display(), item.get_technology_display()]
