"""What `civicdesk demo` leaves in its data folder for the commands run next to it.

The demo runs in debug mode, with a secret key of its own, at an address it was told. Commands
run later in the same folder (`civicdesk verify_chains`, `enqueue_scheduled`, `issue_token`,
`shell`, a second `worker`) need the same: without them they stopped at "CIVICDESK_SECRET_KEY
is required", and would sign links the demo cannot read or write links without an address.
The demo keeps them in ``<data folder>/demo-settings.json``, and settings.py takes each from
there when the file exists and the environment does not set it. A production data folder has
no such file, so a missing CIVICDESK_SECRET_KEY still stops every command there, and
`check --deploy` reports a server that runs on the demo's file.

settings.py reads this module before Django is set up: it must not use Django's settings.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FILE_NAME = "demo-settings.json"


def data_dir() -> Path:
    """The data folder: CIVICDESK_DATA_DIR, else ./var under the working directory."""
    return Path(os.environ.get("CIVICDESK_DATA_DIR") or Path.cwd() / "var").resolve()


def path_in(folder: Path) -> Path:
    return Path(folder) / FILE_NAME


@dataclass(frozen=True)
class DemoSettings:
    secret_key: str
    debug: bool = True
    site_url: str = ""
    # The demo district's box (CIVICDESK_DISTRICT_BOUNDS), so that positions are checked
    # against it next to the demo as they are in production.
    district_bounds: str = ""


def read(folder: Path) -> DemoSettings | None:
    """The demo's settings kept in ``folder``, or None where no demo ran."""
    path = path_in(folder)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"{path} cannot be read ({error}); delete it and run `civicdesk demo` again."
        ) from None
    valid = (
        isinstance(raw, dict)
        and isinstance(raw.get("secret_key"), str)
        and raw["secret_key"] != ""
        and isinstance(raw.get("debug", True), bool)
        and isinstance(raw.get("site_url", ""), str)
        and isinstance(raw.get("district_bounds", ""), str)
    )
    if not valid:
        raise ImproperlyConfigured(
            f"{path} is not the settings file of `civicdesk demo` (it needs a secret_key, "
            "and debug, site_url and district_bounds of the right kinds); delete it and run the "
            "demo again."
        )
    return DemoSettings(
        secret_key=raw["secret_key"],
        debug=raw.get("debug", True),
        site_url=raw.get("site_url", ""),
        district_bounds=raw.get("district_bounds", ""),
    )


def write(
    folder: Path, *, site_url: str | None = None, district_bounds: str | None = None
) -> DemoSettings:
    """Create or update the demo's settings in ``folder``: a new key the first time, the same
    key on every later run (logins and signed links of earlier runs keep working); the
    address and the district's box replaced when given."""
    folder = Path(folder)
    current = read(folder)
    wanted = DemoSettings(
        secret_key=current.secret_key if current else secrets.token_urlsafe(50),
        debug=True,
        site_url=(current.site_url if current else "") if site_url is None else site_url,
        district_bounds=(
            (current.district_bounds if current else "")
            if district_bounds is None
            else district_bounds
        ),
    )
    if wanted == current:
        return current
    folder.mkdir(parents=True, exist_ok=True)
    # Written whole and then renamed, so that a command starting meanwhile never reads half a
    # file; mkstemp makes it readable by its owner only, as it holds the key.
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".demo-settings-", suffix=".json")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(asdict(wanted), handle, indent=2)
            handle.write("\n")
        os.replace(temporary, path_in(folder))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return wanted
