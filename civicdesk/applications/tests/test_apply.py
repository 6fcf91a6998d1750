"""Applying online through the pages: what is stored, and bad input refused whole."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.applications.models import Application, ApplicationMaterial, Upload
from civicdesk.applications.tests.conftest import (
    CREDIT_CODE,
    MATERIALS,
    apply_form,
    material_ids,
    pdf,
    steps_for,
)
from civicdesk.applications.versions import version_publish

pytestmark = pytest.mark.django_db


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_hall_lists_online_matters_and_their_checklist(citizen, version):
    html = citizen.get("/hall/").text
    assert "Food business licence" in html and "/hall/matters/food-license/apply/" in html
    page = citizen.get("/hall/matters/food-license/").text
    for name in ("食品经营许可申请书", "营业执照", "从业人员健康证明", "经营场所平面图"):
        assert name in page
    assert "May follow later (容缺)" in page and "Site inspection" in page


def test_apply_online_with_one_material_missing(citizen, version, settings):
    response = citizen.post(
        "/hall/matters/food-license/apply/", apply_form(version, missing=("食品安全管理制度",))
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert response["Location"] == f"/hall/a/{application.tracking_code}/"
    assert application.channel == "online" and application.status == "submitted"
    assert application.credit_code == CREDIT_CODE and application.visit_count == 0
    states = dict(application.materials.values_list("requirement__name", "state"))
    assert states == {
        "食品经营许可申请书": "provided",
        "营业执照": "provided",
        "食品安全管理制度": "absent",
        "从业人员健康证明": "provided",
        "经营场所平面图": "absent",
    }
    assert Upload.objects.count() == 3
    assert len(_stored_files(settings)) == 3
    # The session that applied opens its page at once; the page shows the visit count.
    page = citizen.get(response["Location"])
    assert page.status_code == 200
    assert application.tracking_code in page.text
    assert 'id="visit-count">0<' in page.text
    assert application.events.get().action == "submit"


def test_wrong_file_type_names_the_material_and_saves_nothing(citizen, version, settings):
    data = apply_form(version)
    licence = material_ids(version)["营业执照"]
    data[f"material_{licence}"] = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 not a document")
    response = citizen.post("/hall/matters/food-license/apply/", data)
    assert response.status_code == 400
    assert "营业执照: File (licence.pdf) is not a photo (JPEG, PNG, WebP)" in response.text
    assert Application.objects.count() == 0 and ApplicationMaterial.objects.count() == 0
    assert Upload.objects.count() == 0 and _stored_files(settings) == []
    assert "the files you chose were not kept" in response.text


def test_too_large_file_is_refused_before_reading(citizen, version, settings):
    settings.CIVICDESK_MAX_EVIDENCE_BYTES = 100
    data = apply_form(version)
    form = material_ids(version)["食品经营许可申请书"]
    data[f"material_{form}"] = pdf("big.pdf", b"x" * 500)
    response = citizen.post("/hall/matters/food-license/apply/", data)
    assert response.status_code == 400
    assert "食品经营许可申请书: the file is larger than 100" in response.text
    assert Application.objects.count() == 0 and _stored_files(settings) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"credit_code": "91330106MA2H0000X0"}, "Credit code: the last character does not match"),
        ({"credit_code": ""}, "Credit code: an enterprise gives its unified social credit code."),
        ({"credit_code": "ABC"}, "Credit code: it has 18 characters."),
        (
            {"applicant_type": "citizen", "credit_code": CREDIT_CODE},
            "Credit code: only enterprises give a credit code.",
        ),
        (
            {"contact_phone": "", "contact_email": ""},
            "Contact: give a mobile phone or an e-mail address for the one-time code.",
        ),
        ({"contact_phone": "12"}, "Mobile phone: give 7 to 15 digits."),
        (
            {"agent_phone": "13900000000"},
            "Agent: give the name of the person filing for the applicant.",
        ),
    ],
)
def test_bad_applicant_data_is_named_and_nothing_saved(citizen, version, settings, fields, message):
    response = citizen.post("/hall/matters/food-license/apply/", apply_form(version, **fields))
    assert response.status_code == 400
    assert message in response.text
    assert Application.objects.count() == 0 and _stored_files(settings) == []


def test_application_for_a_withdrawn_version_is_refused(citizen, version, units, supervisor):
    # The applicant opened the form under version 1; version 2 was published meanwhile.
    data = apply_form(version)
    version_publish(
        actor=supervisor,
        item=version.item,
        time_limit_days=9,
        materials=MATERIALS,
        steps=steps_for(units),
        note="压缩审查时限",
    )
    response = citizen.post("/hall/matters/food-license/apply/", data)
    assert response.status_code == 400
    assert "Version 1 of “食品经营许可” was withdrawn; apply under the version now in force." in (
        response.text
    )
    assert Application.objects.count() == 0
    # The form offered now is version 2's.
    assert (
        f'name="version" value="{version.pk + 1}"'
        in citizen.get("/hall/matters/food-license/apply/").text
    )


def test_matter_not_online_is_not_offered(citizen, version):
    version.item.online = "none"
    version.item.save()
    assert citizen.get("/hall/matters/food-license/apply/").status_code == 404
    assert "food-license" not in citizen.get("/hall/").text


def test_translated_error_in_chinese(version):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    response = client.post(
        "/hall/matters/food-license/apply/", apply_form(version, credit_code="ABC")
    )
    assert response.status_code == 400
    assert "统一社会信用代码" in response.text
    assert "Credit code" not in response.text
