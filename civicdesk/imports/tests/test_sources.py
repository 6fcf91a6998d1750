"""The upload form's checkbox that lets a source's authors hear the answer: administrators
only, through HTTP."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.conftest import login
from civicdesk.imports import services
from civicdesk.intake.models import Source

from .conftest import URL, sample

NAME = 'name="answers_authors"'


def portal(upload, client, channels, **extra):
    return upload(
        client,
        "portal_messages.csv",
        channel_id=channels["portal"].pk,
        source_name="新华街道门户网站",
        **extra,
    )


def test_only_administrators_see_the_checkbox(clerk, supervisor, admin_user, channels):
    assert NAME in login(admin_user).get(URL).content.decode()
    for user in (clerk, supervisor):
        assert NAME not in login(user).get(URL).content.decode()


def test_an_administrator_lets_the_authors_hear_the_answer(admin_user, channels, upload):
    client = login(admin_user)
    response = portal(upload, client, channels)
    assert response.status_code == 302
    source = Source.objects.get(channel=channels["portal"])
    assert not source.answers_authors  # unticked: a new source stays closed

    assert portal(upload, client, channels, answers_authors="on").status_code == 302
    source.refresh_from_db()
    assert source.answers_authors
    # A later import without the tick leaves the source's decision as it is.
    assert portal(upload, client, channels).status_code == 302
    source.refresh_from_db()
    assert source.answers_authors and Source.objects.count() == 1


def test_a_clerk_cannot_open_a_source_even_with_a_forged_field(clerk, channels, upload):
    assert portal(upload, login(clerk), channels, answers_authors="on").status_code == 302
    assert not Source.objects.get(channel=channels["portal"]).answers_authors
    with pytest.raises(services.ImportJobError, match="Only administrators"):
        services.job_create(
            upload=SimpleUploadedFile("portal_messages.csv", sample("portal_messages.csv")),
            channel=channels["portal"],
            source_name="新华街道门户网站",
            actor=clerk,
            answers_authors=True,
        )
