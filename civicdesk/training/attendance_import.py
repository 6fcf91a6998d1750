"""Attendance of a lecture or seminar from an XLSX sign-in sheet, all or nothing.

The first row names the columns; the person is found by user name (a column 用户名, 账号, 工号
or username) or, without one, by name (姓名 or name), which must then belong to exactly one
active staff member. Every row that names nobody known, or several people, is an error
naming its row; with any error nothing is recorded. Empty rows are skipped; a person listed
twice, or already recorded, counts once.
"""

from dataclasses import dataclass, field
from io import BytesIO
from zipfile import BadZipFile

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from civicdesk.accounts.models import User
from civicdesk.training import services
from civicdesk.training.models import AttendanceSource, Session

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
USERNAME_COLUMNS = ("用户名", "账号", "帐号", "工号", "username", "user", "login")
NAME_COLUMNS = ("姓名", "name", "名字")


@dataclass
class ImportResult:
    added: int = 0
    already: int = 0
    errors: list[str] = field(default_factory=list)


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    wanted = {n.casefold() for n in names}
    for index, title in enumerate(header):
        if title.casefold() in wanted:
            return index
    return None


def _rows(content: bytes) -> list[tuple]:
    if len(content) > MAX_BYTES:
        raise services.TrainingError(_("The file is larger than 5 MB."), "file")
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise services.TrainingError(
            _("The file is not an Excel workbook (.xlsx)."), "file"
        ) from None
    rows = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        rows.append(row)
        if len(rows) > MAX_ROWS + 1:
            raise services.TrainingError(
                _("The sheet has more than %(n)d rows.") % {"n": MAX_ROWS}, "file"
            )
    book.close()
    return rows


def _staff() -> "User.objects":
    return User.objects.filter(is_active=True).exclude(role="")


def read_people(content: bytes) -> tuple[list[User], list[str]]:
    """The people a sign-in sheet names, and the errors (each naming its row)."""
    rows = _rows(content)
    if not rows:
        raise services.TrainingError(_("The sheet is empty."), "file")
    header = [_cell(v) for v in rows[0]]
    by_username, by_name = _column(header, USERNAME_COLUMNS), _column(header, NAME_COLUMNS)
    if by_username is None and by_name is None:
        raise services.TrainingError(
            _("The first row must name a column 用户名 (or 账号, 工号, username) or 姓名."),
            "file",
        )
    usernames, names = set(), set()
    wanted = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [_cell(v) for v in row]
        if not any(cells):
            continue
        username = (
            cells[by_username] if by_username is not None and by_username < len(cells) else ""
        )
        name = cells[by_name] if by_name is not None and by_name < len(cells) else ""
        wanted.append((number, username, name))
        if username:
            usernames.add(username)
        else:
            names.add(name)
    staff = _staff().filter(Q(username__in=usernames) | Q(display_name__in=names))
    found_username = {u.username: u for u in staff if u.username in usernames}
    found_name: dict[str, list[User]] = {}
    for user in staff:
        if user.display_name in names:
            found_name.setdefault(user.display_name, []).append(user)
    people, errors = [], []
    for number, username, name in wanted:
        if username:
            person = found_username.get(username)
            if person is None:
                errors.append(
                    _("Row %(row)d: no active staff member has the user name “%(who)s”.")
                    % {"row": number, "who": username}
                )
                continue
        elif name:
            matches = found_name.get(name, [])
            if not matches:
                errors.append(
                    _("Row %(row)d: no active staff member is called “%(who)s”.")
                    % {"row": number, "who": name}
                )
                continue
            if len(matches) > 1:
                errors.append(
                    _(
                        "Row %(row)d: %(count)d staff members are called “%(who)s”; add the "
                        "column 用户名 to say which."
                    )
                    % {"row": number, "count": len(matches), "who": name}
                )
                continue
            person = matches[0]
        else:
            errors.append(_("Row %(row)d: neither a user name nor a name.") % {"row": number})
            continue
        people.append(person)
    if not wanted:
        raise services.TrainingError(_("The sheet lists nobody."), "file")
    return people, errors


def import_attendance(*, session: Session, content: bytes, actor) -> ImportResult:
    """Record the attendance a sheet lists, or nothing at all (the result then lists why)."""
    people, errors = read_people(content)
    if errors:
        return ImportResult(errors=errors)
    added, already = services.attendance_add(
        session=session, people=people, actor=actor, source=AttendanceSource.IMPORT
    )
    return ImportResult(added=added, already=already)
