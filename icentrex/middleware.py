from django.utils import translation
from django.utils.cache import patch_cache_control


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the browser's; without one,
    LocaleMiddleware's choice (cookie, then Accept-Language) stands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class ApiNoStoreMiddleware:
    """Authenticated API responses hold personal data: no cache may keep them.
    Runs after the view, so token-authenticated requests (DRF sets request.user
    on the underlying request) count too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") and user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
