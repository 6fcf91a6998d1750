"""Evidence is served with its checked type: photos inline, documents as downloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.accounts.models import ApiToken
from civicdesk.commitments import services
from civicdesk.commitments.tests.conftest import png_upload
from civicdesk.conftest import login

pytestmark = pytest.mark.django_db


def _api_get(user, url):
    from django.test import Client

    _, raw = ApiToken.issue(user=user, name="test")
    return Client().get(url, headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.parametrize(
    ("upload", "content_type", "disposition"),
    [
        (png_upload, "image/png", "inline"),
        # A PDF named .html and declared text/html is still a PDF, and only a download.
        (
            lambda: SimpleUploadedFile("x.html", b"%PDF-1.4 <script>", content_type="text/html"),
            "application/pdf",
            "attachment",
        ),
    ],
)
def test_evidence_headers_in_the_page_and_the_api(
    measure, handler, upload, content_type, disposition
):
    evidence = services.evidence_add(measure=measure, upload=upload(), actor=handler)
    responses = [
        login(handler).get(f"/commitments/staff/evidence/{evidence.pk}/"),
        _api_get(handler, f"/api/v1/measures/{measure.pk}/evidence/{evidence.pk}"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        extension = content_type.rsplit("/", 1)[-1]
        assert response["Content-Disposition"] == (
            f'{disposition}; filename="evidence-{evidence.pk}.{extension}"'
        )
        assert "sandbox" in response["Content-Security-Policy"]
