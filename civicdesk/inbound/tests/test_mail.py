"""Reading mail: charsets, HTML-only mail, photos, robots and mail bombs (no SMTP here; see
test_smtp.py for the real session)."""

from email.message import EmailMessage

import pytest

from civicdesk.cases.models import Case
from civicdesk.inbound.mail import (
    AutomaticMail,
    MailRefused,
    handle_mail,
    html_to_text,
    read_mail,
    without_quote,
)
from civicdesk.inbound.models import InboundMessage, Outcome
from civicdesk.inbound.services import Flooding
from civicdesk.inbound.tests.conftest import INTAKE, fixture
from civicdesk.intake.models import Photo, Submission
from civicdesk.notifications.models import Outbox


def test_gbk_mail_labelled_gb2312_with_a_photo_becomes_a_case_with_its_receipt(db):
    handled = handle_mail(fixture("foxmail_gbk_photo.eml"))
    assert handled.outcome == Outcome.CASE
    case = handled.case
    submission = case.submission
    # 镕 is GBK but not GB2312: read as GB18030 it survives.
    assert "东苑小区3号楼门口的路灯坏了一个星期" in submission.description
    assert "镕" in submission.description
    assert submission.description.startswith("东苑小区路灯不亮")  # the subject
    assert (submission.contact_name, submission.contact_email) == ("王小明", "wangxm@example.cn")
    assert submission.channel.code == "email" and submission.consent_contact
    assert Photo.objects.filter(submission=submission).count() == 1
    receipt = Outbox.objects.get(event="case_received")
    assert (receipt.channel, receipt.recipient) == ("email", "wangxm@example.cn")
    assert case.tracking_code in receipt.subject and case.tracking_code in receipt.body
    assert InboundMessage.objects.get().case == case


def test_the_same_mail_twice_is_one_case(db):
    first = handle_mail(fixture("foxmail_gbk_photo.eml"))
    again = handle_mail(fixture("foxmail_gbk_photo.eml"))
    assert again.repeated and again.case == first.case
    assert Case.objects.count() == 1 and Outbox.objects.count() == 1


def test_html_only_mail_is_stored_as_text_without_markup_or_scripts(db):
    handled = handle_mail(fixture("html_only.eml"))
    description = handled.case.submission.description
    assert "河滨路 12号门前" in description and "井盖缺失，很危险！" in description
    for leftover in ("<", "alert", "color:red", "evil.example"):
        assert leftover not in description


def test_html_to_text_keeps_blocks_apart():
    assert html_to_text("<p>一</p><p>二<br>三</p>") == "一\n\n二\n三"


@pytest.mark.parametrize("name", ["dsn_bounce.eml", "exchange_autoreply.eml"])
def test_bounces_and_auto_replies_are_dropped_without_an_answer(db, name):
    handled = handle_mail(fixture(name))
    assert handled.outcome == Outcome.DROPPED
    assert not Submission.objects.exists() and not Outbox.objects.exists()
    assert InboundMessage.objects.get().outcome == Outcome.DROPPED


def _mail(**headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("From", "resident@example.org")
    message["To"] = INTAKE
    message["Subject"] = headers.pop("Subject", "路灯")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("小区路灯不亮")
    return message


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X_Autoreply": "yes"},
        {"From": "MAILER-DAEMON@mx.example.org"},
        {"Subject": "Automatic reply: 路灯"},
    ],
)
def test_robot_headers_are_recognised(headers):
    with pytest.raises(AutomaticMail):
        read_mail(_mail(**headers).as_bytes())


def test_auto_submitted_no_is_a_person():
    assert read_mail(_mail(Auto_Submitted="no").as_bytes()).text == "小区路灯不亮"


def test_an_empty_envelope_sender_is_a_bounce():
    with pytest.raises(AutomaticMail):
        read_mail(_mail().as_bytes(), envelope_sender="")


def test_raw_8bit_gbk_subject_is_read():
    raw = (
        _mail()
        .as_bytes()
        .replace(b"Subject: =?utf-8?b?6Lev54Gv?=", b"Subject: " + "井盖丢了".encode("gbk"))
    )
    assert b"Subject: " + "井盖丢了".encode("gbk") in raw
    assert read_mail(raw).subject == "井盖丢了"


def test_mail_bombs_are_refused_and_nothing_is_stored(db, settings):
    settings.CIVICDESK_MAIL_MAX_ATTACHMENTS = 3
    settings.CIVICDESK_MAIL_MAX_DEPTH = 3
    many = _mail()
    for number in range(4):
        many.add_attachment(b"%d" % number, maintype="application", subtype="pdf")
    with pytest.raises(MailRefused) as refused:
        handle_mail(many.as_bytes())
    assert refused.value.code == "too_many_attachments"
    assert "more than 3 attachments" in refused.value.message

    nested = EmailMessage()
    nested["From"], nested["To"], nested["Message-ID"] = "a@example.org", INTAKE, "<deep@x>"
    nested.set_content("深")
    for _level in range(5):
        outer = EmailMessage()
        outer["From"], outer["To"] = "a@example.org", INTAKE
        outer.make_mixed()
        outer.attach(nested)
        nested = outer
    with pytest.raises(MailRefused) as refused:
        handle_mail(nested.as_bytes())
    assert refused.value.code == "too_deep"

    settings.CIVICDESK_MAIL_MAX_BYTES = 1000
    with pytest.raises(MailRefused) as refused:
        handle_mail(fixture("foxmail_gbk_photo.eml"))
    assert refused.value.code == "too_large" and refused.value.smtp_code == 552
    assert not Submission.objects.exists() and not Photo.objects.exists()
    assert set(InboundMessage.objects.values_list("outcome", flat=True)) == {Outcome.REFUSED}


def test_a_damaged_photo_refuses_the_mail_naming_it(db):
    message = _mail()
    message.add_attachment(b"\xff\xd8\xffnot really", maintype="image", subtype="jpeg",
                           filename="broken.jpg")  # fmt: skip
    with pytest.raises(MailRefused) as refused:
        handle_mail(message.as_bytes())
    assert "broken.jpg" in refused.value.message and "damaged" in refused.value.message
    assert not Submission.objects.exists()


def test_other_files_are_named_in_the_report_but_not_kept(db):
    message = _mail()
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf",
                           filename="材料.pdf")  # fmt: skip
    case = handle_mail(message.as_bytes()).case
    assert "材料.pdf" in case.submission.description


def test_a_reply_with_the_code_joins_the_case_without_the_quoted_mail(db):
    case = handle_mail(fixture("foxmail_gbk_photo.eml")).case
    reply = _mail(
        From="王小明 <WangXM@example.cn>", Subject=f"回复：您的反映 {case.tracking_code} 已受理"
    )
    reply.set_content(
        "补充：旁边的5号楼也不亮。\n\n在 2026年3月3日 09:20，12345 写道：\n> 您的反映已受理"
    )
    handled = handle_mail(reply.as_bytes())
    assert handled.outcome == Outcome.FOLLOW_UP and handled.case == case
    assert Case.objects.count() == 1
    note = case.events.get(action="note")
    assert note.actor_kind == "reporter" and note.data["from_reporter"]
    assert "旁边的5号楼也不亮" in note.note and "您的反映已受理" not in note.note
    # The addition gets no second receipt.
    assert Outbox.objects.filter(event="case_received").count() == 1


def test_a_code_from_someone_else_opens_a_new_case(db):
    case = handle_mail(fixture("foxmail_gbk_photo.eml")).case
    stranger = _mail(From="other@example.org", Subject=f"关于 {case.tracking_code}")
    handled = handle_mail(stranger.as_bytes())
    assert handled.outcome == Outcome.CASE and handled.case != case
    assert not case.events.filter(action="note").exists()


def test_without_quote():
    assert without_quote("好的\n> 旧\n-----原始邮件-----\n发件人: x") == "好的"


def test_a_flood_from_one_address_is_refused_and_nothing_stored(db, settings):
    settings.CIVICDESK_INBOUND_RATE_LIMIT = "2/h"
    for number in range(2):
        handle_mail(_mail(Message_ID=f"<flood-{number}@example.org>").as_bytes())
    with pytest.raises(Flooding) as flooding:
        handle_mail(_mail(Message_ID="<flood-2@example.org>").as_bytes())
    assert "Too many messages from this sender" in flooding.value.message
    assert flooding.value.retry_after > 0
    assert Case.objects.count() == 2
    # Another sender is not affected.
    handle_mail(_mail(From="other@example.org", Message_ID="<other@example.org>").as_bytes())
    assert Case.objects.count() == 3
