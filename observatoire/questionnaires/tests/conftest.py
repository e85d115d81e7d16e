import pytest


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The personas' passwords are hashed at each test: use a fast hasher here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
