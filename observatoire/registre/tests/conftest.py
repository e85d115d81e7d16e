import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created for most tests; the default hasher costs ~0.5 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
