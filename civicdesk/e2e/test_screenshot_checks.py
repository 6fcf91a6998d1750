"""The screenshot suite's text check (test_screenshots.py), in the default run."""

from civicdesk.e2e.test_screenshots import raw_values


def test_raw_values_are_found():
    """The text check finds what the issue listed (and leaves plain words alone)."""
    for text in (
        "随手拍 · form: web",
        "rating: 6 · window: service-center",
        "列 “time” 缺失",
        "语言 zh-hans",
        "---------",
        "遇到了什么问题？：",
        "属于民生领域领域",
        "127.0.0.1:8765",
        "期限：None",
    ):
        assert raw_values(text), text
    assert raw_values("东苑小区门口路灯不亮 · 随手拍 · 12-08 · 城市管理局 · form and window") == []
    assert raw_values("Clustering runs\nNone yet.\nNone chosen means every unit.") == []
