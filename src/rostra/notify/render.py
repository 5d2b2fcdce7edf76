"""Mails from Jinja2 templates: a subject, a plain text and an HTML part,
in the language of the site (English when there is no template for it).

Each kind has `<language>/<kind>.txt` (with a `subject` block) and
`<language>/<kind>.html`; the HTML is autoescaped, the text is not.
"""

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from rostra.service.sites import LANGUAGES

KINDS = ("reply_digest", "confirm_subscription", "held", "held_digest", "signin", "privacy")

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"], default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str
    unsubscribe: str | None = None  # the one-click link, for List-Unsubscribe


def language_of(language: str | None) -> str:
    return language if language in LANGUAGES else "en"


def render_mail(kind: str, language: str | None, values: dict) -> Mail:
    if kind not in KINDS:
        raise ValueError(f"no templates for mails of kind {kind!r}")
    language = language_of(language)
    values = {"unsubscribe": None, **values}
    text = TEMPLATES.get_template(f"{language}/{kind}.txt")
    subject = "".join(text.blocks["subject"](text.new_context(values))).strip()
    return Mail(
        subject=" ".join(subject.split()),
        text=text.render(values),
        html=TEMPLATES.get_template(f"{language}/{kind}.html").render(values),
        unsubscribe=values["unsubscribe"],
    )


def render_page(language: str | None, **values) -> str:
    """The small pages behind the links in mails (confirm, unsubscribe)."""
    return TEMPLATES.get_template(f"{language_of(language)}/page.html").render(values)
