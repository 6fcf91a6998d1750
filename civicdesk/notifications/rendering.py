"""Messages from templates: ``notifications/<event>/<language>.txt``, first line the subject,
the rest the text, rendered in the recipient's language without HTML escaping. Every message
that a person can stop ends with ``notifications/footer/<language>.txt`` (the unsubscribe link).

The zh-hant files are the zh-hans files converted the way the project converts its
translations (scripts/translate.py: OpenCC s2t plus its phrase table); a test keeps them in step.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.loader import select_template
from django.utils import translation

TEMPLATE = "notifications/{name}/{language}.txt"
FOOTER = "footer"
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def pick_language(code: str) -> str:
    """The supported language closest to `code` (``zh-CN`` gives ``zh-hans``), else the site's."""
    for candidate in (code, settings.LANGUAGE_CODE):
        if not candidate:
            continue
        try:
            return translation.get_supported_language_variant(candidate.lower())
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _render_text(name: str, language: str, context: dict) -> str:
    template = select_template(
        [
            TEMPLATE.format(name=name, language=language),
            TEMPLATE.format(name=name, language=settings.LANGUAGE_CODE),
            TEMPLATE.format(name=name, language="en"),
        ]
    )
    # Plain text, not HTML: a title with "&" must stay "&". Through the engine's own template
    # so that templates in the project's template folders can override the shipped ones.
    with translation.override(language):
        text = template.template.render(Context(context, autoescape=False))
    text = _TRAILING_SPACE.sub("\n", text.replace("\r\n", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def render(
    event: str, language: str, context: dict, *, sms: bool, unsubscribe_url: str = ""
) -> Rendered:
    """Subject and text of one message; an SMS has no subject and takes the shorter wording
    the templates give under ``{% if sms %}``."""
    values = {**context, "sms": sms, "unsubscribe_url": unsubscribe_url}
    subject, _newline, body = _render_text(event, language, values).partition("\n")
    body = body.strip()
    if unsubscribe_url:
        body = f"{body}\n\n{_render_text(FOOTER, language, values)}"
    return Rendered(subject="" if sms else subject.strip()[:300], body=body)
