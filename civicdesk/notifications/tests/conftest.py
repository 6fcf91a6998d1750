"""Recording senders (one list per channel) and a case ready to be answered."""

import pytest

from civicdesk.cases import services as case_services

HERE = "civicdesk.notifications.tests.conftest"
SENT: dict[str, list[tuple]] = {"email": [], "sms": []}


class RecordingEmailSender:
    def send(self, to: str, subject: str, body: str) -> None:
        SENT["email"].append((to, subject, body))


class RecordingSMSSender:
    def send(self, to: str, text: str) -> None:
        SENT["sms"].append((to, text))


@pytest.fixture
def sent(settings) -> dict[str, list[tuple]]:
    settings.CIVICDESK_NOTIFICATION_SENDER = f"{HERE}.RecordingEmailSender"
    settings.CIVICDESK_SMS_SENDER = f"{HERE}.RecordingSMSSender"
    for messages in SENT.values():
        messages.clear()
    return SENT


@pytest.fixture
def assigned(make_case, units, supervisor):
    """A case of the urban unit, waiting for its answer; keyword arguments go to the case."""

    def make(**fields):
        case = make_case(**fields)
        return case_services.case_assign(case=case, unit=units["urban"], actor=supervisor)

    return make


@pytest.fixture
def answer(handler):
    def answered(case):
        return case_services.case_answer(case=case, actor=handler, text="路灯已修复。")

    return answered
