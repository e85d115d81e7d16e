"""Where each user lands after login, decided in one place (LOGIN_REDIRECT_URL's view)."""

from django.urls import reverse


def home_for(user) -> str:
    """A référent lands on its authority's page, an analyst on its dashboard; everyone else
    on the home page."""
    if user.is_authenticated and user.is_analyst:
        return reverse("dashboard:analyst")
    if user.is_authenticated and user.authority_id:
        return reverse("diagnostic:authority_home")
    return reverse("core:home")
