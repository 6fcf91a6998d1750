"""Helpers for the ledger tests: workbooks built in memory and valid credit codes."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.core.credit_code import make_credit_code

CODE_A = make_credit_code("91330106MA2H0U7E1")
CODE_B = make_credit_code("91330106MA2H0U7E2")
# Same as CODE_A with the check character changed: a typo.
BAD_CODE = CODE_A[:-1] + ("1" if CODE_A[-1] != "1" else "2")


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(rows: list[list], name: str = "ledger.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx(rows), content_type="application/octet-stream")


def read_xlsx(content: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.fixture
def codes():
    return {"a": CODE_A, "b": CODE_B, "bad": BAD_CODE}
