"""Polling an IMAP mailbox, against a small IMAP4rev1 server in this process."""

import socketserver
import threading

import pytest

from civicdesk.cases.models import Case
from civicdesk.inbound.imap import poll
from civicdesk.inbound.models import Outcome
from civicdesk.inbound.tests.conftest import fixture


class Mailbox:
    def __init__(self, mails: list[bytes]) -> None:
        self.mails = {uid: mail for uid, mail in enumerate(mails, start=1)}
        self.seen: set[int] = set()
        self.logins: list[tuple[str, str]] = []


class FakeImap(socketserver.StreamRequestHandler):
    """The commands imaplib sends for poll(): CAPABILITY, LOGIN, SELECT, UID SEARCH/FETCH/
    STORE, LOGOUT, answered as RFC 3501 says."""

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        box: Mailbox = self.server.mailbox
        self.send("* OK fake IMAP4rev1 ready")
        for raw in self.rfile:
            tag, command, *args = raw.decode().rstrip("\r\n").split(" ")
            command = command.upper()
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
            elif command == "LOGIN":
                box.logins.append((args[0].strip('"'), args[1].strip('"')))
            elif command == "SELECT":
                self.send(f"* {len(box.mails)} EXISTS")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif command == "UID" and args[0].upper() == "SEARCH":
                unseen = " ".join(str(uid) for uid in box.mails if uid not in box.seen)
                self.send(f"* SEARCH {unseen}".rstrip())
            elif command == "UID" and args[0].upper() == "FETCH":
                uid = int(args[1])
                mail = box.mails[uid]
                if "RFC822.SIZE" in args[2]:
                    self.send(f"* {uid} FETCH (UID {uid} RFC822.SIZE {len(mail)})")
                else:
                    self.send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(mail)}}}".encode())
                    self.wfile.write(mail)
                    self.send(")")
            elif command == "UID" and args[0].upper() == "STORE":
                box.seen.add(int(args[1]))
                self.send(f"* {args[1]} FETCH (FLAGS (\\Seen))")
            elif command == "LOGOUT":
                self.send("* BYE")
                self.send(f"{tag} OK LOGOUT completed")
                return
            self.send(f"{tag} OK {command} completed")


@pytest.fixture
def imap_server():
    servers = []

    def start(mails: list[bytes]) -> tuple[str, Mailbox]:
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), FakeImap)
        server.daemon_threads = True
        server.mailbox = Mailbox(mails)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        url = f"imap://12345%40district.example:p%40ss@127.0.0.1:{server.server_address[1]}/INBOX"
        return url, server.mailbox

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_unread_mail_is_taken_in_once_and_marked_read(db, imap_server, settings):
    url, box = imap_server(
        [fixture("foxmail_gbk_photo.eml"), fixture("dsn_bounce.eml"), fixture("html_only.eml")]
    )
    report = poll(url)
    assert report.counts == {Outcome.CASE: 2, Outcome.DROPPED: 1}
    assert box.logins == [("12345@district.example", "p@ss")]
    assert box.seen == {1, 2, 3}
    assert Case.objects.count() == 2
    assert poll(url).counts == {}  # nothing unread any more


def test_a_mail_over_the_size_limit_is_refused_without_downloading_it(db, imap_server, settings):
    settings.CIVICDESK_MAIL_MAX_BYTES = 1000
    url, box = imap_server([fixture("foxmail_gbk_photo.eml")])
    assert poll(url).counts == {Outcome.REFUSED: 1}
    assert box.seen == {1} and not Case.objects.exists()
