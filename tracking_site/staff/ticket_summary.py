"""A parcel in two lines for a support ticket, in the customer's language: the words its page opens with.

"LB 123 456 785 EE, PostPlus: Delivered Sunday 6 December 16:06, Riga" and the permalink. The answer is the
headline's printed form (days by their dates, never "today": a ticket is read later), so staff say what the
customer sees. Its first letter keeps its case: lowering it would misspell the nouns of languages that
capitalise them.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carriers.model import Parcel
from tracking_site.presentation.arrival import ExpectedDelivery
from tracking_site.presentation.headline import answer_for
from tracking_site.presentation.number_groups import number_groups
from tracking_site.presentation.status_words import carrier_name


def ticket_summary(parcel: Parcel, expected: ExpectedDelivery | None, link: str, language: str, now: datetime) -> str:
    """The summary in `language`; the permalink on its own line (none for a number the site cannot link)."""
    with translation.override(language):
        answer = answer_for(parcel, expected, now)
        line = _("%(number)s, %(carrier)s: %(answer)s") % {
            "number": " ".join(number_groups(parcel.tracking_number)),
            "carrier": carrier_name(parcel.carrier),
            "answer": answer.printed,
        }
    return f"{line}\n{link}" if link else line


class SummaryLanguageForm(forms.Form):
    """The customer's language, for the summaries; part of every search's form (its fields are prefixed)."""

    language = forms.ChoiceField(label=gettext_lazy("Customer's language (for the summaries)"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "summary")
        super().__init__(*args, **kwargs)
        # The site's languages as they are now: read here, not at import, so added languages appear.
        self.fields["language"].choices = list(settings.LANGUAGES)
        self.fields["language"].initial = translation.get_language() or settings.LANGUAGE_CODE

    def chosen(self) -> str:
        """The language chosen, else the one the console speaks."""
        if self.is_bound and self.is_valid():
            return str(self.cleaned_data["language"])
        return str(self.fields["language"].initial)
