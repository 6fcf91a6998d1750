"""Every environment variable the settings read is documented in README and .env.example."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def read_variables() -> set[str]:
    source = (ROOT / "civicdesk" / "settings.py").read_text()
    return set(re.findall(r"""(?:environ\.get|env_\w+)\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))


def test_settings_read_variables_at_all():
    assert {"DATABASE_URL", "CIVICDESK_SECRET_KEY", "CIVICDESK_DEBUG"} <= read_variables()


def test_every_variable_is_in_the_readme_and_the_example_file():
    readme = (ROOT / "README.md").read_text()
    example = (ROOT / ".env.example").read_text()
    undocumented = sorted(v for v in read_variables() if f"`{v}`" not in readme)
    missing_example = sorted(v for v in read_variables() if v not in example)
    assert undocumented == []
    assert missing_example == []


def test_private_media_is_not_served_by_the_public_media_route(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "commitments" / "evidence").mkdir(parents=True)
    (tmp_path / "commitments" / "evidence" / "secret.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "p.jpg").write_bytes(b"jpeg")
    assert client.get("/media/commitments/evidence/secret.pdf").status_code == 404
    assert client.get("/media/photos/p.jpg").status_code == 200
