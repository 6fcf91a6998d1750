"""Forms of the import pages: they check what was typed, the services do the work."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from civicdesk.imports.access import may_set_answers_authors
from civicdesk.imports.fields import FIELDS, mapping_errors
from civicdesk.imports.parsers import FileFormat
from civicdesk.imports.services import max_upload_bytes, too_large_message
from civicdesk.intake.models import Channel


class ChannelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Channel) -> str:
        from civicdesk.core.templatetags.civic import local_name

        return local_name(obj)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    channel = ChannelChoiceField(
        label=_("Channel"), queryset=Channel.objects.filter(is_active=True), empty_label=None
    )
    source_name = forms.CharField(
        label=_("Source"),
        max_length=80,
        required=False,
        help_text=_(
            "The chat group, site or account the messages come from, e.g. 东苑社区居民群. "
            "Re-imports recognise messages per source. A QQ export names its group itself."
        ),
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Recognise it")), *FileFormat.choices],
        required=False,
    )
    min_length = forms.IntegerField(
        label=_("Skip messages shorter than (characters)"),
        min_value=0,
        max_value=1000,
        initial=0,
        required=False,
        help_text=_(
            "For chat groups: leaves out “好的”, “收到” and the like. 0 keeps every message."
        ),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and may_set_answers_authors(user):
            # Whether a source's authors are contacted is the administrators' decision.
            self.fields["answers_authors"] = forms.BooleanField(
                label=_("Its authors may hear the answer"),
                required=False,
                help_text=_(
                    "Tick only where the source's terms allow the office to contact its "
                    "authors: when a case of one of its messages is answered, an author who "
                    "left an e-mail address or phone number gets the answer. Applies to "
                    "every import from this source; to withdraw it, untick the source in "
                    "the administration's list of import sources."
                ),
            )
        self.fields["file"].help_text = _(
            "CSV (UTF-8, GBK or UTF-16 as Excel saves it), Excel .xlsx, JSON or JSON Lines, or "
            "a WeChat or QQ group chat exported as text. Up to %(limit)s."
        ) % {"limit": filesizeformat(max_upload_bytes())}
        chat = Channel.objects.filter(code="chat_group", is_active=True).first()
        if chat is not None:
            self.fields["channel"].initial = chat.pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(too_large_message(upload.size), code="too_large")
        return upload

    def clean_min_length(self) -> int:
        return self.cleaned_data.get("min_length") or 0


class MappingForm(forms.Form):
    """One choice of column per field; the same column cannot hold two fields."""

    def __init__(self, *args, columns: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = [("", "—")] + [(column, column) for column in columns]
        for field in FIELDS:
            self.fields[field.key] = forms.ChoiceField(
                label=field.label,
                choices=choices,
                required=field.required,
                help_text=field.help,
                initial=initial_mapping.get(field.key, ""),
            )

    def clean(self) -> dict:
        data = super().clean()
        mapping = {key: value for key, value in data.items() if value}
        if mapping.get("text"):  # without it, the field's own error says what to do
            for error in mapping_errors(mapping, self.columns):
                self.add_error(None, error)
        return data

    @property
    def mapping(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items() if value}
