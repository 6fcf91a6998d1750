"""Helpers for the import tests: the sample files, uploads through HTTP, running queued jobs."""

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

FIXTURES = Path(__file__).resolve().parent / "fixtures"
URL = "/staff/imports/"


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def portal_workbook() -> bytes:
    """The street portal's messages as its back office exports them to Excel: typed dates
    and numbers, one formula."""
    return xlsx(
        [
            ["留言编号", "留言标题", "留言内容", "发布时间", "网友昵称", "点赞"],
            [
                "GX-1001",
                "小区停车难",
                "锦绣家园晚上车位严重不足，消防通道被占满。",
                datetime(2025, 3, 6, 20, 15),
                "锦绣业主",
                15,
            ],
            [
                "GX-1002",
                "健身器材损坏",
                "东湖公园的健身器材有两台坏了，螺丝外露容易划伤人。",
                datetime(2025, 3, 7, 9, 0),
                "晨练大爷",
                3,
            ],
            [None, None, None, None, None, None],
            ["GX-1003", "", "=1+1", datetime(2025, 3, 7, 10, 30), "测试", 0],
        ]
    )


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    """Each test keeps its uploads and reports in a folder of its own."""
    settings.CIVICDESK_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def upload():
    """POST a file to the upload form; returns the response."""

    def post(client, name: str, content: bytes | None = None, **fields):
        data = {
            "file": SimpleUploadedFile(name, sample(name) if content is None else content),
            "channel": fields.pop("channel_id"),
            "source_name": fields.pop("source_name", "东苑社区居民议事群"),
            "file_format": fields.pop("file_format", ""),
            "min_length": fields.pop("min_length", 0),
        }
        data.update(fields)
        return client.post(URL, data)

    return post


@pytest.fixture
def channels(db):
    from civicdesk.intake.models import Channel

    return {channel.code: channel for channel in Channel.objects.all()}


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """POST to a page that queues an import and run the queued task, as a worker would."""

    def post(client, url: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return post
