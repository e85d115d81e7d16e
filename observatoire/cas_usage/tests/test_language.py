"""English texts are marked as English: pages (lang="en"), Atom feed (xml:lang), API (language)."""

from observatoire.cas_usage.factories import UseCaseFactory


def test_english_case_is_marked_everywhere(client, db):
    """A European case imported in English says so on its page, in the feed and the API;
    a French case says nothing (the site's language)."""
    english = UseCaseFactory(title="Smart street lighting", summary="Lamps dim at night.", country="Islande", language="en")  # fmt: skip
    french = UseCaseFactory(title="Éclairage public intelligent", summary="Des lampadaires.")
    page = client.get(english.get_absolute_url()).content.decode()
    assert '<h1 id="case-title" lang="en">Smart street lighting</h1>' in page
    assert '<p class="lead" lang="en">Lamps dim at night.</p>' in page
    assert (
        'lang="en"'
        not in client.get(french.get_absolute_url())
        .content.decode()
        .split("<main")[-1]
        .split("Cas similaires")[0]
    )
    listing = client.get("/cas-usage/", {"scope": "europe"}).content.decode()
    assert '<li class="use-case" lang="en">' in listing
    feed = client.get("/cas-usage/flux.atom").content.decode()
    assert '<entry xml:lang="en"><title>Smart street lighting</title>' in feed
    assert "<entry><title>Éclairage public intelligent</title>" in feed
    api = client.get(f"/api/v1/cas-usage/cases/{english.pk}").json()
    assert (api["language"], api["actor"]) == ("en", "collectivite")
    listed = client.get("/api/v1/cas-usage/cases", {"scope": "europe"}).json()["items"]
    assert [case["language"] for case in listed] == ["en"]
