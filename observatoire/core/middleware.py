from observatoire.core.audit import acting_as


class AuditActorMiddleware:
    """Makes the logged-in user the actor of every change made during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(request.user):
            return self.get_response(request)
