"""What people said, as they said it, and through which channel."""

import re
import unicodedata
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChannelGroup(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    COMMUNITY = "community", _("Community and media")


class Channel(models.Model):
    """A way opinions reach the district. Rows, not code: new channels need no migration."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    group = models.CharField(_("group"), max_length=20, choices=ChannelGroup.choices)
    is_public_form = models.BooleanField(
        default=False, help_text=_("Anonymous people submit through it (rate-limited).")
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


def source_key(name: str) -> str:
    """A source name as its identity: width, case and spaces do not make another source."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()[:80]


class Source(models.Model):
    """A place within a channel that messages are imported from (a chat group, a portal, an
    account), and whether its authors may hear back: people who wrote in a chat group did not
    write to the office, so the answer reaches them only where the source's terms allow it."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="sources")
    key = models.CharField(max_length=80, editable=False)
    name = models.CharField(_("name"), max_length=80)
    answers_authors = models.BooleanField(
        _("authors get the answer"),
        default=False,
        help_text=_(
            "When a case of an imported message is answered, its author gets the answer by "
            "e-mail or SMS if they left an address or phone number. Turn on only where the "
            "source's terms allow the office to contact its authors."
        ),
    )

    class Meta:
        ordering = ["channel", "name"]
        verbose_name = _("import source")
        verbose_name_plural = _("import sources")
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="intake_one_source_per_key")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.key = source_key(self.name)
        super().save(*args, **kwargs)


# Keys of Submission.source_details that a person reads on the case page, in this order.
SOURCE_LABELS = {
    "source": _("Import source"),
    "row": _("Row"),
    "line": _("Line"),
    "item": _("Item"),
    "id": _("Original ID"),
    "likes": _("Likes"),
    "subject": _("Mail subject"),
    "questionnaire": _("Questionnaire"),
    "question": _("Question"),
    "window": _("Window"),
    "number": _("Window number"),
    "leader": _("Leader on duty"),
    "score": _("Score"),
    "group": _("Chat group"),
    "account": _("Self-media account"),
    "post": _("Post number"),
    "street": _("Street"),
    "batch": _("Batch"),
    "client": _("Open311 client"),
    "address_id": _("Address ID"),
    "media_url": _("Photo link"),
    "section": _("Section"),
    "app_version": _("App version"),
}
WINDOW_CODE = re.compile(r"[a-z0-9][a-z0-9_-]*")


def _window_name(code: str) -> str:
    from civicdesk.accounts.models import Unit

    unit = Unit.objects.filter(code=code).first()
    return unit.name if unit is not None else code


class Submission(models.Model):
    """One opinion or report as received; the case that handles it lives in civicdesk.cases."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="submissions")
    # Where in the channel it came from (chat group name, window number, questionnaire id, …).
    source_details = models.JSONField(default=dict, blank=True)
    # The channel's own id for the message, so a re-import recognises what it already has.
    external_id = models.CharField(max_length=120, blank=True)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        "cases.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("category suggested by the reporter"),
    )
    address = models.CharField(_("address or place"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    contact_name = models.CharField(_("name"), max_length=80, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    for_enterprise = models.BooleanField(_("reporting for an enterprise"), default=False)
    enterprise_name = models.CharField(_("enterprise name"), max_length=200, blank=True)
    enterprise_credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True
    )
    consent_publish = models.BooleanField(_("agrees to publication"), default=False)
    # Whoever leaves a contact on a form of their own agrees to hear back; an opinion heard in
    # person records the person's answer, and without it nobody may contact them about it.
    consent_contact = models.BooleanField(_("agrees to be contacted"), default=True)
    language = models.CharField(max_length=10, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the row was stored, which differs from received_at for opinions typed in later and
    # imported messages: what changed since a moment is found by this one.
    stored_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # Staff who recorded it (window, phone, leader at a window); empty for self-service channels.
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="submission_unique_external_id_per_channel",
            ),
            # A position is both coordinates or neither (issue 13, item 16): half of one
            # places the report nowhere, and every channel refuses it.
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="submission_position_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def personal_details(self) -> list[str]:
        """What the reporter told us about themselves, to hide wherever it shows up in text."""
        return [v for v in (self.contact_name, self.contact_phone, self.contact_email) if v]

    def source_facts(self) -> list[tuple[str, str]]:
        """What the channel told about where the message came from, as (label, value) for
        a person: the keys a person can read, named in their language. Internal keys (the
        web form, the API, a WeChat openid, record ids) are not shown."""
        details = self.source_details or {}
        facts = []
        for key, label in SOURCE_LABELS.items():
            value = details.get(key)
            if value in (None, ""):
                continue
            if key == "window" and WINDOW_CODE.fullmatch(str(value)):
                value = _window_name(str(value))
            if key == "line" and not str(value).isdigit():
                label = _("Hotline")  # a phone line's name, not a line of an imported file
            facts.append((str(label), str(value)))
        return facts

    @property
    def is_imported(self) -> bool:
        return "import" in (self.source_details or {})

    def may_answer_author(self) -> bool:
        """Whether the author of an imported message may get the answer (their source
        allows it); True for every other submission."""
        if not self.is_imported:
            return True
        name = str(self.source_details.get("source", ""))
        return Source.objects.filter(
            channel_id=self.channel_id, key=source_key(name), answers_authors=True
        ).exists()

    @property
    def is_anonymous(self) -> bool:
        return not (self.contact_name or self.contact_phone or self.contact_email)


def photo_path(photo: "Photo", filename: str) -> str:
    # Random names: nothing about the reporter or the original file name reaches the disk.
    return f"photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class Photo(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    thumbnail = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.image.name


class IdempotencyKey(models.Model):
    """Remembers a create request, so that a client's retry returns the first result."""

    key = models.CharField(max_length=200, unique=True)
    request_digest = models.CharField(max_length=64)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return self.key
