"""Request and response shapes of the questionnaire operations."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from civicdesk.api.common import PersonOut
from civicdesk.api.schemas import Text
from civicdesk.questionnaires import services
from civicdesk.questionnaires.models import SCALE_LIMITS, Audience, QuestionKind
from civicdesk.questionnaires.models import Status as QuestionnaireStatus

Score = Annotated[int, Field(ge=SCALE_LIMITS[0], le=SCALE_LIMITS[1])]
Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=60, pattern=r"^[-a-zA-Z0-9_]*$")
]


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


# --- Shapes --------------------------------------------------------------------------------


class QuestionnaireIn(Schema):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Text = Field("", max_length=5000, description="Shown above the questions.")
    audience: Audience = Audience.ENTERPRISES
    slug: Slug = Field(
        "",
        description="The public page is /q/<slug>/: letters, digits, dashes. Empty: a random "
        "one on creation, unchanged on update. It cannot change once published.",
    )
    one_response_per_enterprise: bool = False
    login_required: bool = False
    low_score_threshold: Score = Field(
        2, description="A scale answer at or below this becomes a submission for triage."
    )


class SectionIn(Schema):
    title: Text = Field("", max_length=200)
    description: Text = Field("", max_length=2000)


class MoveIn(Schema):
    direction: Direction = Field(..., description="One place up or down.")


class QuestionIn(Schema):
    section: int = Field(
        ..., description="Id of the section of the draft version the question goes to."
    )
    kind: QuestionKind
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    help_text: Text = Field("", max_length=500)
    code: Text = Field(
        "", max_length=20, description="Short label such as Q3; empty gives the next free one."
    )
    required: bool = False
    options: list[Annotated[str, StringConstraints(max_length=200)]] = Field(
        [], max_length=services.MAX_OPTIONS, description="Choice questions: two or more options."
    )
    scale_min: Score | None = Field(None, description="Scale questions: the lowest score.")
    scale_max: Score | None = Field(None, description="Scale questions: the highest score.")
    scale_min_label: Text = Field("", max_length=60)
    scale_max_label: Text = Field("", max_length=60)


class QuestionnaireActionIn(Schema):
    """Nothing to say: send ``{}``."""


class OptionOut(Schema):
    id: int
    label: str


class QuestionOut(Schema):
    id: int
    section: int
    code: str
    kind: QuestionKind
    text: str
    help_text: str
    required: bool
    options: list[OptionOut]
    scale_min: int | None
    scale_max: int | None
    scale_min_label: str
    scale_max_label: str


class SectionOut(Schema):
    id: int
    title: str
    description: str
    position: int
    questions: list[QuestionOut]


class VersionOut(Schema):
    number: int
    published_at: datetime | None
    published_by: PersonOut | None
    created_at: datetime


class QuestionnaireEventOut(Schema):
    action: str
    label: str
    version: int | None
    actor: PersonOut | None
    created_at: datetime


class QuestionnaireOut(Schema):
    id: int
    slug: str
    title: str
    description: str
    audience: Audience
    status: QuestionnaireStatus
    one_response_per_enterprise: bool
    login_required: bool
    low_score_threshold: int
    current_version: int | None = Field(..., description="The version people answer now.")
    public_url: str
    created_by: PersonOut | None
    created_at: datetime


class QuestionnaireDetailOut(QuestionnaireOut):
    version: VersionOut = Field(
        ..., description="The draft being edited if there is one, else the latest version."
    )
    editable: bool = Field(..., description="The caller may change this version's questions.")
    can_build: bool
    publish_problems: list[str] = Field(
        ..., description="What keeps the draft from being published; empty when it may be."
    )
    sections: list[SectionOut]
    versions: list[VersionOut]
    events: list[QuestionnaireEventOut] = Field(..., description="The latest 20, newest first.")


class ResultRowOut(Schema):
    label: str
    count: int
    percent: float | None


class TextAnswerOut(Schema):
    response: int
    text: str
    created_at: datetime


class QuestionResultOut(Schema):
    question: QuestionOut
    answered: int
    rows: list[ResultRowOut] = Field(..., description="Choices and scales: one row per value.")
    average: float | None
    low: int = Field(..., description="Scale answers at or below the low score threshold.")
    texts: list[TextAnswerOut] = Field(..., description="Text questions: the latest answers.")
    more_texts: int


class ResultsOut(Schema):
    version: int | None = Field(..., description="null until the first publication.")
    published_versions: list[int]
    n_responses: int
    results: list[QuestionResultOut]


class PaperImportOut(Schema):
    created: int = Field(..., description="Paper forms recorded: all of the file's rows.")
    cases: int = Field(
        ..., description="Forms that raised concerns: each became one submission with its case."
    )
    to_confirm: int = Field(
        ..., description="Forms whose written answers wait for staff to confirm (no case yet)."
    )


class AnswerToConfirmOut(Schema):
    question_code: str
    question: str
    text: str
    outcome: str = Field(
        ..., description="“to_confirm”, or “praise” where staff may still open a case."
    )


class ResponseToConfirmOut(Schema):
    response_id: int
    created_at: datetime
    channel: str
    enterprise_name: str
    answers: list[AnswerToConfirmOut]


class CaseOpenedOut(Schema):
    tracking_code: str = Field(..., description="The response's one case, opened now.")


class NoCaseOut(Schema):
    answers: int = Field(..., description="Written answers recorded as needing no case.")
