"""A ready-to-send complaint letter to the director of an establishment, in plain French.

The CDU pathway starts with a written complaint to the establishment's legal representative
(CSP R1112-91). Many people never write it because the letter is the hard part; here it is
built from the answers they already gave. It is always in French: it goes to a French hospital.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

UNKNOWN_DATE = "unknown"


@dataclass(frozen=True)
class ComplaintLetter:
    reference: str
    establishment: str
    author_name: str
    what_happened: str
    wish: str
    event_date: str | None  # ISO date or "unknown"
    written_on: date
    relative: bool = False  # the author writes about care given to a relative

    def filename(self) -> str:
        return f"reclamation-{self.reference}.txt"


def full_date_fr(day: date) -> str:
    text = format_date(day, "EEEE d MMMM y", locale="fr")
    return text.replace(" 1 ", " 1er ", 1) if day.day == 1 else text


def render(letter: ComplaintLetter) -> str:
    """The letter as plain text: short sentences, one idea per line, dates in full."""
    if letter.event_date and letter.event_date != UNKNOWN_DATE:
        when = f"Cela s'est passé le {full_date_fr(date.fromisoformat(letter.event_date))}."
    else:
        when = "Je ne me souviens plus de la date exacte."
    about = (
        "Je vous écris au sujet des soins d'un proche."
        if letter.relative
        else "Je vous écris au sujet de mes soins."
    )
    lines = [
        letter.author_name,
        "",
        f"Le {full_date_fr(letter.written_on)}",
        "",
        "À l'attention de la direction",
        letter.establishment,
        "",
        f"Objet : réclamation, numéro {letter.reference}",
        "",
        "Madame, Monsieur,",
        "",
        "Je fais une réclamation.",
        about,
        "",
        "Ce qui s'est passé :",
        letter.what_happened,
        "",
        when,
        "",
        "Ce que je voudrais changer :",
        letter.wish,
        "",
        "Je demande que ma réclamation soit transmise à la commission des usagers.",
        "Je voudrais rencontrer un médiateur.",
        "Je voudrais aussi être accompagné par un représentant des usagers.",
        "Merci de me répondre par écrit.",
        "",
        "Je vous prie d'agréer, Madame, Monsieur, mes salutations distinguées.",
        "",
        letter.author_name,
        "",
    ]
    return "\n".join(lines)
