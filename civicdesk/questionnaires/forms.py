"""Forms check the shape of input; the services decide what it means."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicdesk.intake.validation import clean_credit_code
from civicdesk.questionnaires.models import (
    CHOICE_KINDS,
    SCALE_LIMITS,
    Audience,
    Question,
    QuestionKind,
    Section,
)
from civicdesk.questionnaires.responses import MAX_TEXT, AnswerValue, question_label


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown above the questions: who asks, why, and what happens to the answers."),
    )
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=60,
        required=False,
        help_text=_(
            "The page is /q/<address>/; letters, digits and dashes. Leave empty for a "
            "random one. It cannot change once published."
        ),
    )
    one_response_per_enterprise = forms.BooleanField(
        label=_("One response per enterprise (by unified social credit code)"), required=False
    )
    login_required = forms.BooleanField(label=_("Only logged-in users may answer"), required=False)
    low_score_threshold = forms.IntegerField(
        label=_("Low score threshold"),
        min_value=SCALE_LIMITS[0],
        max_value=SCALE_LIMITS[1],
        initial=2,
        help_text=_("A scale answer at or below this score becomes a submission for triage."),
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Section introduction"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QuestionForm(forms.Form):
    section = forms.ModelChoiceField(label=_("Section"), queryset=Section.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(label=_("Explanation (optional)"), max_length=500, required=False)
    code = forms.CharField(
        label=pgettext_lazy("question", "Code"),
        max_length=20,
        required=False,
        help_text=_("Short label for spreadsheets, such as Q3; empty gives the next free one."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    options = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For single and multiple choice questions."),
    )
    scale_min = forms.IntegerField(
        label=_("Lowest score"),
        required=False,
        initial=1,
        min_value=SCALE_LIMITS[0],
        max_value=SCALE_LIMITS[1],
    )
    scale_max = forms.IntegerField(
        label=_("Highest score"),
        required=False,
        initial=5,
        min_value=SCALE_LIMITS[0],
        max_value=SCALE_LIMITS[1],
    )
    scale_min_label = forms.CharField(
        label=_("Label of the lowest score"), max_length=60, required=False
    )
    scale_max_label = forms.CharField(
        label=_("Label of the highest score"), max_length=60, required=False
    )

    def __init__(self, *args, version, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = version.sections.all()
        self.fields["section"].label_from_instance = lambda s: (
            s.title or _("Section %(n)d") % {"n": s.position + 1}
        )

    def clean_options(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in CHOICE_KINDS and len(data.get("options") or []) < 2:
            self.add_error("options", _("A choice question needs at least two options."))
        if kind == QuestionKind.SCALE:
            low, high = data.get("scale_min"), data.get("scale_max")
            if low is None:
                self.add_error("scale_min", _("Give the lowest score."))
            if high is None:
                self.add_error("scale_max", _("Give the highest score."))
            if low is not None and high is not None and low >= high:
                self.add_error("scale_max", _("The highest score must be above the lowest."))
        return data

    @staticmethod
    def initial_for(question: Question) -> dict:
        return {
            "section": question.section_id,
            "kind": question.kind,
            "text": question.text,
            "help_text": question.help_text,
            "code": question.code,
            "required": question.required,
            "options": "\n".join(o.label for o in question.options.all()),
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "scale_min_label": question.scale_min_label,
            "scale_max_label": question.scale_max_label,
        }


class MoveForm(forms.Form):
    direction = forms.TypedChoiceField(
        choices=[("up", "up"), ("down", "down")], coerce=lambda d: -1 if d == "up" else 1
    )


class PaperImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))

    def clean_file(self):
        from civicdesk.questionnaires.paper import MAX_UPLOAD_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than 10 MB; split it into smaller workbooks.")
            )
        return upload


# --- the public answer form -----------------------------------------------------------------


def _required(question: Question) -> str:
    return _("%(q)s needs an answer.") % {"q": question_label(question)}


def _invalid(question: Question) -> str:
    return _("%(q)s: choose from its options.") % {"q": question_label(question)}


class AnswerForm(forms.Form):
    """One field per question (two for the enterprise: name and credit code), named after
    the question's id, plus optional contact details and a token against double clicks.
    Each error names its question."""

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=80, required=False)
    contact_phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, questions: list[Question], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        if not self.is_bound:
            self.fields["form_token"].initial = uuid.uuid4()
        for question in questions:
            self._add_fields(question)

    def _add_fields(self, question: Question) -> None:
        name = f"q{question.pk}"
        common = {
            "label": question.text,
            "help_text": question.help_text,
            "required": question.required,
        }
        messages = {
            "required": _required(question),
            "invalid_choice": _invalid(question),
            "invalid_list": _invalid(question),
        }
        kind = question.kind
        if kind in CHOICE_KINDS:
            choices = [(str(o.pk), o.label) for o in question.options.all()]
            field_class = (
                forms.ChoiceField if kind == QuestionKind.SINGLE else (forms.MultipleChoiceField)
            )
            widget = (
                forms.RadioSelect if kind == QuestionKind.SINGLE else (forms.CheckboxSelectMultiple)
            )
            self.fields[name] = field_class(
                choices=choices, widget=widget, error_messages=messages, **common
            )
        elif kind == QuestionKind.SCALE:
            scale_error = _("%(q)s: choose a score from %(min)d to %(max)d.") % {
                "q": question_label(question),
                "min": question.scale_min,
                "max": question.scale_max,
            }
            self.fields[name] = forms.TypedChoiceField(
                choices=[(str(v), str(v)) for v in question.scale_values()],
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
                error_messages={**messages, "invalid_choice": scale_error},
                **common,
            )
        elif kind == QuestionKind.TEXT:
            too_long = _("%(q)s: write at most %(max)d characters.") % {
                "q": question_label(question),
                "max": MAX_TEXT,
            }
            self.fields[name] = forms.CharField(
                max_length=MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={**messages, "max_length": too_long},
                **common,
            )
        else:
            self.fields[f"{name}_name"] = forms.CharField(
                label=_("Enterprise name"),
                max_length=200,
                required=question.required,
                error_messages={
                    "required": _("%(q)s: give the enterprise's name.")
                    % {"q": question_label(question)}
                },
            )
            self.fields[f"{name}_code"] = forms.CharField(
                label=_("Unified social credit code"),
                max_length=40,
                required=question.required,
                help_text=_("18 characters, on the business licence."),
                error_messages={
                    "required": _("%(q)s: give the enterprise's unified social credit code.")
                    % {"q": question_label(question)}
                },
            )

    def clean(self):
        data = super().clean()
        for question in self.questions:
            if question.kind != QuestionKind.ENTERPRISE:
                continue
            name, code = f"q{question.pk}_name", f"q{question.pk}_code"
            if name in self.errors or code in self.errors:
                continue
            label = question_label(question)
            given_name, given_code = data.get(name, "").strip(), data.get(code, "").strip()
            if given_code:
                try:
                    data[code] = clean_credit_code(given_code)
                except ValidationError as error:
                    self.add_error(code, f"{label}: {error.messages[0]}")
            if given_code and not given_name:
                self.add_error(name, _("%(q)s: give the enterprise's name.") % {"q": label})
            if given_name and not given_code:
                self.add_error(
                    code,
                    _("%(q)s: give the enterprise's unified social credit code.") % {"q": label},
                )
        return data

    def answers(self) -> dict[int, AnswerValue]:
        """The cleaned answers for the service, by question id."""
        data = self.cleaned_data
        answers = {}
        for question in self.questions:
            name = f"q{question.pk}"
            if question.is_choice:
                chosen = data.get(name) or []
                chosen = [chosen] if isinstance(chosen, str) else chosen
                options = {str(o.pk): o for o in question.options.all()}
                value = AnswerValue(options=[options[pk] for pk in chosen])
            elif question.kind == QuestionKind.SCALE:
                value = AnswerValue(number=data.get(name))
            elif question.kind == QuestionKind.TEXT:
                value = AnswerValue(text=data.get(name) or "")
            else:
                value = AnswerValue(
                    enterprise_name=data.get(f"{name}_name") or "",
                    credit_code=data.get(f"{name}_code") or "",
                )
            answers[question.pk] = value
        return answers

    def by_section(self) -> list[tuple[Section, list[tuple[Question, list]]]]:
        """The bound fields grouped by section and question, in the questionnaire's order."""
        groups: list[tuple[Section, list]] = []
        for question in self.questions:
            if not groups or groups[-1][0].pk != question.section_id:
                groups.append((question.section, []))
            name = f"q{question.pk}"
            names = (
                [f"{name}_name", f"{name}_code"]
                if question.kind == QuestionKind.ENTERPRISE
                else [name]
            )
            groups[-1][1].append((question, [self[n] for n in names]))
        return groups

    def error_summary(self) -> list[str]:
        """Every error, each naming its question, for the top of a long page on a phone."""
        summary = list(self.non_field_errors())
        for name, errors in self.errors.items():
            if name != "__all__":
                summary.extend(errors)
        return summary
