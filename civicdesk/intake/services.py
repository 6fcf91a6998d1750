"""Turning what a channel received into a stored submission with its case, all or nothing,
or, for an allegation of misconduct, into a confidential report (``receive``)."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from civicdesk.accounts.models import User
from civicdesk.cases.models import Case, Category
from civicdesk.cases.services import case_open, cases_open
from civicdesk.core.files import save_file
from civicdesk.core.photos import ProcessedPhoto
from civicdesk.intake.models import Channel, IdempotencyKey, Photo, Submission
from civicdesk.intake.routing import confidential_routing, file_confidential
from civicdesk.notifications.receipts import notify_case_received
from civicdesk.reports.models import Report, Source


@dataclass
class NewSubmission:
    """The common shape every channel turns its raw input into."""

    channel: Channel
    description: str
    category: Category | None = None
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    for_enterprise: bool = False
    enterprise_name: str = ""
    enterprise_credit_code: str = ""
    consent_publish: bool = False
    consent_contact: bool = True
    language: str = ""
    source_details: dict = field(default_factory=dict)
    external_id: str = ""
    received_at: datetime | None = None
    recorded_by: User | None = None
    photos: list[ProcessedPhoto] = field(default_factory=list)

    def digest(self) -> str:
        """A fingerprint of the content: tells a retry from another request reusing its key."""
        # Not dataclasses.asdict: it deep-copies every value, model instances included.
        content = {item.name: getattr(self, item.name) for item in fields(self)} | {
            "channel": self.channel.code,
            "category": self.category.pk if self.category else None,
            "recorded_by": None,
            "received_at": None,
            "photos": [photo.sha256 for photo in self.photos],
        }
        raw = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()


class IdempotencyConflict(Exception):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class Received:
    """What became of a submission: an ordinary case, or a confidential report.

    ``created`` is False when nothing new was stored (a retry, a message already there).
    ``followup_code`` is the whistle-blower's secret code of a new intermediary report, to
    show them once; it exists nowhere else.
    """

    created: bool
    submission: Submission | None = None
    case: Case | None = None
    report: Report | None = None
    followup_code: str | None = None

    @property
    def is_confidential(self) -> bool:
        return self.report is not None


def receive(
    *,
    data: NewSubmission,
    idempotency_key: str = "",
    before_store: Callable[[], None] | None = None,
    report_source: str | None = None,
) -> Received:
    """Take in what a channel received: the one entry point of every channel.

    An allegation of misconduct or of collusion with black intermediaries
    (civicdesk.intake.routing decides) becomes a confidential report and never a
    submission or a case; everything else becomes a submission with its case
    (submission_create). ``report_source`` overrides the report's source (imports).
    """
    routing = confidential_routing(category=data.category, description=data.description)
    if routing is None:
        submission, case, created = submission_create(
            data=data, idempotency_key=idempotency_key, before_store=before_store
        )
        return Received(created=created, submission=submission, case=case)
    if before_store is not None:
        before_store()
    report, code, created = file_confidential(
        data, routing, idempotency_key=idempotency_key, source=report_source
    )
    return Received(created=created, report=report, followup_code=code)


def _store_photos(
    submission: Submission, photos: list[ProcessedPhoto], saved: list[str], start: int = 0
) -> None:
    for position, photo in enumerate(photos, start=start):
        record = Photo(
            submission=submission,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            size=len(photo.content),
            sha256=photo.sha256,
            position=position,
        )
        # save_file, not FieldFile.save: a write that fails part-way (disk full) must not
        # leave half a file that ``saved`` cannot name.
        saved.append(save_file(record.image, f"p.{photo.extension}", ContentFile(photo.content)))
        saved.append(save_file(record.thumbnail, "t.jpg", ContentFile(photo.thumbnail)))
        record.save()


def photos_add(*, submission: Submission, photos: list[ProcessedPhoto]) -> list[Photo]:
    """Add photos to a stored submission (the reporter sent them later, e.g. by WeChat or in
    a reply), after the ones it has; all or none, with no file left behind on failure."""
    saved: list[str] = []
    start = submission.photos.count()
    try:
        with transaction.atomic():
            _store_photos(submission, photos, saved, start=start)
    except BaseException:
        _delete_files(saved)
        raise
    return list(submission.photos.filter(position__gte=start))


def _new_submission(data: NewSubmission) -> Submission:
    """The submission to store for `data`, unsaved, with its text fields normalised."""
    return Submission(
        channel=data.channel,
        source_details=data.source_details,
        external_id=data.external_id,
        description=data.description.strip(),
        category=data.category,
        address=data.address.strip(),
        latitude=data.latitude,
        longitude=data.longitude,
        contact_name=data.contact_name.strip(),
        contact_phone=data.contact_phone.strip(),
        contact_email=data.contact_email.strip(),
        for_enterprise=data.for_enterprise,
        enterprise_name=data.enterprise_name.strip() if data.for_enterprise else "",
        enterprise_credit_code=(
            data.enterprise_credit_code.strip().upper() if data.for_enterprise else ""
        ),
        consent_publish=data.consent_publish,
        consent_contact=data.consent_contact,
        language=data.language,
        received_at=data.received_at or timezone.now(),
        recorded_by=data.recorded_by,
    )


def submission_create(
    *,
    data: NewSubmission,
    idempotency_key: str = "",
    before_store: Callable[[], None] | None = None,
) -> tuple[Submission, Case, bool]:
    """Store a submission, its photos and its case atomically.

    Returns (submission, case, created). With an idempotency key seen before for the same
    content, nothing is stored and the first result comes back with created=False.
    ``before_store`` runs before storing; when it refuses (raises), the retry of a request
    already stored still gets its first result, so a rate limit never refuses a client on a
    flaky network its tracking code.
    """
    digest = data.digest()
    # Nearly every key is new, so the key is not looked up first: its unique index refuses a
    # retry at the insert, and only then is the earlier result loaded (one query less per
    # report; a retry costs a rolled-back insert instead).
    if before_store is not None:
        try:
            before_store()
        except Exception:
            earlier = _earlier_result(idempotency_key, digest) if idempotency_key else None
            if earlier is None:
                raise
            return earlier
    for attempt in range(1, _STORE_ATTEMPTS + 1):
        saved_files: list[str] = []
        try:
            return _store(data, idempotency_key, digest, saved_files)
        except IntegrityError:
            _delete_files(saved_files)
            if idempotency_key:
                # Two copies of the same request raced; the other one won and is the answer.
                earlier = _earlier_result(idempotency_key, digest)
                if earlier is not None:
                    return earlier
            # Otherwise the fresh tracking code was already taken (codes are not checked
            # before the insert, to save a query on every report): store again with another.
            if attempt == _STORE_ATTEMPTS:
                raise
        except BaseException:
            _delete_files(saved_files)
            raise
    raise AssertionError("unreachable")


# A taken tracking code is rare (one in millions at city scale), three in a row is not real.
_STORE_ATTEMPTS = 3


def _store(
    data: NewSubmission, idempotency_key: str, digest: str, saved_files: list[str]
) -> tuple[Submission, Case, bool]:
    with transaction.atomic():
        submission = _new_submission(data)
        submission.save(force_insert=True)
        _store_photos(submission, data.photos, saved_files)
        case = case_open(submission=submission)
        # With the case, so that a rolled-back report sends no code.
        notify_case_received(case)
        if idempotency_key:
            IdempotencyKey.objects.create(
                key=idempotency_key, request_digest=digest, submission=submission
            )
    return submission, case, True


@transaction.atomic
def submissions_create_bulk(*, items: list[NewSubmission]) -> list[Case]:
    """Take in many submissions without photos, as receive does one by one: ordinary ones
    are stored with their cases in a few bulk queries (imports of thousands of messages),
    allegations become confidential reports (source "import", filed by whoever recorded
    them). Returns the new cases.

    All or nothing: an external id already stored for the channel raises IntegrityError and
    stores none of them, so callers check for known ids first (and
    routing.known_confidential for the reports).
    """
    if any(item.photos for item in items):
        raise ValueError("bulk creation takes no photos; use submission_create")
    ordinary = []
    for item in items:
        routing = confidential_routing(category=item.category, description=item.description)
        if routing is None:
            ordinary.append(item)
        else:
            file_confidential(item, routing, source=Source.IMPORT)
    submissions = Submission.objects.bulk_create([_new_submission(item) for item in ordinary])
    return cases_open(submissions=submissions)


def _earlier_result(key: str, digest: str) -> tuple[Submission, Case, bool] | None:
    # Nearly every key is new: ask the unique index alone first (no joins, no ordering, which
    # on a young table could make PostgreSQL walk the primary key instead), and load the
    # earlier report only for a real retry.
    found = list(
        IdempotencyKey.objects.filter(key=key).values_list("submission_id", "request_digest")[:1]
    )
    if not found:
        return None
    submission_id, request_digest = found[0]
    if request_digest != digest:
        raise IdempotencyConflict(key)
    submission = Submission.objects.select_related("case").get(pk=submission_id)
    return submission, submission.case, False


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
