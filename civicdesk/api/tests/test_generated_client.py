"""A client generated from the served OpenAPI document works against the API.

openapi-python-client (a test dependency) generates a typed client from /api/v1/openapi.json,
offline, into a temporary folder. The client's HTTP goes through an httpx transport that hands
each request to Django's test client, and every response is also checked against the schema
the document declares for its operation and status (jsonschema), so a handler that answers
something other than what it declares fails here even where the client would not notice.
"""

import importlib
import io
import json
import re
import sys
from pathlib import Path

import httpx
import pytest
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator
from PIL import Image

from civicdesk.accounts.models import ApiToken
from civicdesk.cases.services import case_assign
from civicdesk.core.credit_code import make_credit_code

PACKAGE = "civicdesk_generated_client"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DjangoTransport(httpx.BaseTransport):
    """Sends httpx requests to the Django app in-process and checks each JSON response
    against the document's declared schema for that operation and status."""

    def __init__(self, document: dict) -> None:
        self.client = Client()
        self.document = document
        self.checked: list[tuple[str, int]] = []
        self.routes = [
            (re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path)
            for path in document["paths"]
        ]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        skip = {"host", "content-length", "content-type", "accept-encoding", "connection"}
        headers = {k: v for k, v in request.headers.items() if k.lower() not in skip}
        response = self.client.generic(
            request.method,
            request.url.raw_path.decode(),
            data=request.content,
            content_type=request.headers.get("content-type", "application/octet-stream"),
            headers=headers,
        )
        self._check(request.method.lower(), request.url.path, response)
        return httpx.Response(
            response.status_code, headers=dict(response.items()), content=response.content
        )

    def _check(self, method: str, path: str, response) -> None:
        template = next(t for pattern, t in self.routes if pattern.match(path))
        operation = self.document["paths"][template][method]
        declared = operation["responses"].get(str(response.status_code))
        assert declared is not None, (
            f"{operation['operationId']}: {response.status_code} undeclared"
        )
        content_type = response["Content-Type"].split(";")[0]
        schema = declared.get("content", {}).get(content_type, {}).get("schema")
        assert schema is not None, f"{operation['operationId']}: {content_type} undeclared"
        if content_type == "application/json":
            root = {**schema, "components": self.document["components"]}
            Draft202012Validator(root).validate(json.loads(response.content))
        self.checked.append((operation["operationId"], response.status_code))


@pytest.fixture(scope="module")
def generated(tmp_path_factory, served_openapi):
    from openapi_python_client import generate
    from openapi_python_client.config import Config, ConfigFile, MetaType

    folder = tmp_path_factory.mktemp("client")
    document_path = folder / "openapi.json"
    document_path.write_bytes(served_openapi)
    config = Config.from_sources(
        ConfigFile(
            post_hooks=[],
            project_name_override=PACKAGE,
            package_name_override=PACKAGE,
            # Files come back as bytes; the generator knows octet-stream only.
            content_type_overrides={XLSX: "application/octet-stream"},
        ),
        MetaType.NONE,
        document_path,
        "utf-8",
        overwrite=True,
        output_path=folder / PACKAGE,
    )
    problems = generate(config=config)
    assert [str(p) for p in problems] == []
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), json.loads(served_openapi)
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def operation(package, tag: str, name: str):
    return importlib.import_module(f"{package.__name__}.api.{tag}.{name}")


def model(package, name: str):
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_generated_client_works_across_the_api(
    generated, clerk, supervisor, handler, units, make_case
):
    package, document = generated
    transport = DjangoTransport(document)

    def client_for(user):
        _, raw = ApiToken.issue(user=user, name="generated client")
        return package.AuthenticatedClient(
            base_url="http://testserver",
            token=raw,
            raise_on_unexpected_status=True,
            httpx_args={"transport": transport},
        )

    as_clerk, as_supervisor, as_handler = (client_for(u) for u in (clerk, supervisor, handler))
    case = make_case()

    # Query parameters and a paginated list.
    listed = operation(package, "cases", "list_cases").sync(client=as_clerk, limit=5)
    assert [item.id for item in listed.items] == [case.pk]

    # A JSON body, and the detail it returns.
    assigned = operation(package, "cases", "assign_case").sync(
        case.pk, client=as_clerk, body=model(package, "AssignIn")(unit="urban")
    )
    assert assigned.status == "assigned"
    assert assigned.timeline[-1].action == "assign"

    # Declared errors are parsed into their own models.
    elsewhere = case_assign(case=make_case(), unit=units["market"], actor=supervisor)
    missing = operation(package, "cases", "get_case").sync(elsewhere.pk, client=as_handler)
    assert isinstance(missing, model(package, "ErrorOut"))
    refused = operation(package, "cases", "answer_case").sync_detailed(
        case.pk, client=as_handler, body=model(package, "ReplyIn")(text="   ")
    )
    assert refused.status_code == 422
    assert refused.parsed.detail[0].msg.startswith("text: ")

    # 201 with a nested body, then a path built from its id.
    problem = operation(package, "problems", "create_problem").sync(
        client=as_clerk,
        body=model(package, "ProblemIn")(title="东苑路灯", cases=[case.tracking_code]),
    )
    assert problem.cases[0].tracking_code == case.tracking_code
    today = timezone.localdate()
    measure = operation(package, "commitments", "create_measure").sync(
        problem.id,
        client=as_clerk,
        body=model(package, "MeasureIn")(
            title="换灯", unit="urban", start_date=today, deadline=today
        ),
    )
    assert measure.status == "planned"

    # A multipart upload.
    file_type = importlib.import_module(f"{PACKAGE}.types").File
    uploaded = operation(package, "commitments", "upload_evidence").sync(
        measure.id,
        client=as_handler,
        body=model(package, "UploadEvidenceMultiPartBodyParams")(
            file=file_type(payload=io.BytesIO(png_bytes()), file_name="p.png"), note="现场"
        ),
    )
    assert uploaded.evidence[0].content_type == "image/png"

    # Decimals, dates and an enum in a ledger row.
    promise = operation(package, "ledgers", "create_promise").sync(
        client=as_clerk,
        body=model(package, "PromiseIn")(
            enterprise_name="东苑科技",
            credit_code=make_credit_code("91330106MA2H0U7E1"),
            promise="退还保证金",
            promised_on=today,
            amount_owed="1200.50",
            unit="urban",
            deadline=today,
        ),
    )
    assert promise.status == "open"
    assert float(promise.amount_owed) == 1200.5

    # Figures with nested, typed objects and enums.
    rates = operation(package, "evaluation", "rates_table").sync(client=as_supervisor)
    assert {row.unit.code for row in [*rates.ranked, *rates.too_few]} >= {"urban", "market"}
    bulletin = operation(package, "bulletins", "get_bulletin").sync(
        model(package, "BulletinKind")("problem-list"), client=as_clerk
    )
    assert bulletin.n_problems == 1
    figures = operation(package, "dashboard", "dashboard_figures").sync(client=as_supervisor)
    assert figures.cases_received >= 0

    assert len(transport.checked) == 11
    assert ("upload_evidence", 201) in transport.checked


# Needs no database, but pytest-django runs database tests before the others: marked, it runs
# beside the test above, and the module generates the client once rather than twice.
@pytest.mark.django_db
def test_generated_client_has_one_function_per_operation(generated):
    package, document = generated
    root = Path(package.__file__).parent / "api"
    generated_names = {path.stem for path in root.rglob("*.py") if path.stem != "__init__"}
    operation_ids = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}

    assert generated_names == operation_ids
