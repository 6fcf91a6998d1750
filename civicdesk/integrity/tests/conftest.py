"""The hall's fixtures (a food licence matter, its staff, recording senders) for these tests."""

from civicdesk.applications.tests.conftest import *  # noqa: F403
