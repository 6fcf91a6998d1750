import pytest

from civicdesk.accounts.models import Role, User
from civicdesk.conftest import PASSWORD
from civicdesk.reports.services import NewReport, report_file
from civicdesk.reports.workflow import Ledger


@pytest.fixture
def discipline(units) -> User:
    return User.objects.create_user(
        username="inspector",
        password=PASSWORD,
        role=Role.DISCIPLINE,
        unit=units["district"],
        display_name="inspector",
    )


@pytest.fixture
def inaction_report(units):
    report, _ = report_file(
        ledger=Ledger.INACTION,
        data=NewReport(
            description="窗口工作人员拖延办理，要求送礼",
            reported_unit=units["urban"],
            official_name="张某",
            official_position="科长",
        ),
        filed_by=None,
    )
    return report


@pytest.fixture
def intermediary(units):
    """An intermediary report against the urban window, with its raw follow-up code."""
    report, code = report_file(
        ledger=Ledger.INTERMEDIARY,
        data=NewReport(
            description="中介收费后可以当天拿到审批",
            reported_unit=units["urban-window"],
            setting="approval",
            intermediary="某某代办公司",
        ),
        filed_by=None,
    )
    return report, code
