"""Settings for the test suite: production settings with test-only conveniences."""

import os

os.environ.setdefault("CIVICDESK_SECRET_KEY", "test-only-secret-key-" + "k" * 40)
os.environ.setdefault("CIVICDESK_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CIVICDESK_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Messages go out only with the site's address in their links (notifications/delivery.py).
os.environ.setdefault("CIVICDESK_SITE_URL", "http://testserver")
# Production's mode, even where a demo once left its settings file in ./var.
os.environ.setdefault("CIVICDESK_DEBUG", "0")

from civicdesk.settings import *  # noqa: F403

# Fast hashing: the suite creates many users; real deployments keep Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# WhiteNoise finds static files per request instead of listing every app's static files
# when its middleware is built: each test client builds its own middleware chain, and the
# listing (about 30 ms) repeated for well over a thousand clients was a large part of the suite.
WHITENOISE_AUTOREFRESH = True
# Background tasks run at once, inside the request, so tests see their effects.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# New cases are not dispatched by the triage model's unit suggestion unless a test asks for it
# (cases/tests/test_dispatch.py): the many tests that train a model and then route cases by
# hand would otherwise find them routed already. Dispatch rules apply as in production.
CIVICDESK_DISPATCH_BY_SUGGESTION = False
