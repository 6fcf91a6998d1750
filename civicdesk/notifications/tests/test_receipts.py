"""Receipts with the tracking code for channels that cannot show it, and answers to the authors
of imported messages only where their source allows it."""

from civicdesk.intake.models import Channel, Source
from civicdesk.notifications.models import Outbox

IMPORTED = {"import": 7, "source": "东苑 社区居民群", "line": 12}


def test_an_opinion_heard_at_a_window_gets_its_code_by_sms(make_case):
    case = make_case(channel="window", contact_phone="138 0013 8000")
    receipt = Outbox.objects.get(event="case_received")
    assert (receipt.channel, receipt.recipient) == ("sms", "138 0013 8000")
    assert case.tracking_code in receipt.body and "/track/" in receipt.body


def test_an_e_mail_address_is_preferred_and_consent_is_required(make_case):
    make_case(channel="phone", contact_phone="13800138000", contact_email="li@example.org")
    assert Outbox.objects.get(event="case_received").channel == "email"
    make_case(channel="phone", contact_phone="13900139000", consent_contact=False)
    assert Outbox.objects.filter(event="case_received").count() == 1


def test_forms_that_show_the_code_and_imports_send_no_receipt(make_case):
    make_case(channel="snapshot", contact_email="li@example.org")
    make_case(channel="chat_group", contact_phone="13800138000", source_details=IMPORTED)
    assert not Outbox.objects.exists()


def test_imported_authors_hear_the_answer_only_where_their_source_allows(assigned, answer, sent):
    case = answer(assigned(channel="chat_group", contact_phone="13800138000",
                           source_details=IMPORTED))  # fmt: skip
    assert not Outbox.objects.filter(event="case_answered").exists()
    Source.objects.create(
        channel=Channel.objects.get(code="chat_group"), name="东苑社区居民群", answers_authors=True
    )
    other = answer(assigned(channel="chat_group", contact_phone="13900139000",
                            source_details=IMPORTED))  # fmt: skip
    row = Outbox.objects.get(event="case_answered")
    assert row.recipient == "13900139000" and other.tracking_code in row.body
    assert case.tracking_code not in row.body
