"""Django's authentication middleware, with two differences: a visitor who has not logged
in is an AnonymousVisitor, which answers the roles' vocabulary (``is_analyst``…) like a
User, so that no code asks ``getattr(user, "is_analyst", False)``; and a page refused to
such a visitor sends it to the login page (then back), never to a bare 403 — the same for
every page, whether it says @login_required or only asks an access helper. The API answers
its own 401/403 (observatoire/api.py)."""

from django.contrib.auth import middleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

from observatoire.accounts.models import AnonymousVisitor


def _visitor(user):
    return AnonymousVisitor() if isinstance(user, AnonymousUser) else user


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _visitor(middleware.get_user(request)))

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied) and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return None
