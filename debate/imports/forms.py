"""The admin's import page's forms: the article's text (pasted or uploaded), its debate and
its details. The debate travels as text (a slug, a new debate's title) and is checked by
``debate.imports.debates.choose_debate``, on preview and again on save."""

from __future__ import annotations

from pathlib import PurePath

from django import forms

from ..models import Debate
from .lines import LIMIT_LABEL, MAX_BYTES, ParseError, decode

EXTENSIONS = {".txt", ".md", ".markdown", ".text"}


class ArticleDetailsForm(forms.Form):
    """What the text does not say about the article: its debate, then optional details,
    editable later too."""

    debate = forms.CharField(  # a slug, checked by choose_debate (a select has no maxlength)
        label="Debate",
        required=False,
        widget=forms.Select,
        help_text="The debate the article reports: its posts show in that debate's pages.",
    )
    new_debate = forms.CharField(
        label="Or a new debate, titled",
        max_length=200,
        required=False,
        help_text="Makes a debate with this title (or takes the one already titled so), "
        "instead of the one chosen above.",
    )

    outlet = forms.CharField(label="Outlet", max_length=200, required=False)
    url = forms.URLField(label="URL", max_length=500, required=False, assume_scheme="https")
    published_on = forms.DateField(
        label="Publication date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ImportForm(ArticleDetailsForm):
    text = forms.CharField(
        label="Article text",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90, "spellcheck": "false"}),
        help_text="The title on the first line, then the article as copied, with each quoted "
        "post followed by its attribution line, e.g. “— Ada Lovelace (@ada) March 11, 2024”.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        allow_empty_file=True,  # said by decode(), as for any other unusable file
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.md,.markdown,text/plain"}),
        help_text=f"Plain text or Markdown (.txt or .md), UTF-8, up to {LIMIT_LABEL}.",
    )
    field_order = ["text", "file", "debate", "new_debate", "outlet", "url", "published_on"]

    def __init__(self, *args, refused: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The name of a file the upload handler stopped at the limit (debate.http.limits).
        self.refused = refused
        debates = [(d.slug, d.title) for d in Debate.objects.order_by("title", "slug")]
        self.debate_count = len(debates)
        field, new = self.fields["debate"], self.fields["new_debate"]
        if len(debates) == 1:
            field.widget.choices = debates
            self.initial.setdefault("debate", debates[0][0])
        else:
            field.widget.choices = [("", "Choose a debate…"), *debates]
        if not debates:
            new.label = "A first debate, titled"
            new.help_text = "Threadline has no debate yet: this article starts one, named "
            new.help_text += "after the article unless you give a title here."

    def clean(self) -> dict:
        if self.refused:
            raise forms.ValidationError(
                f"“{PurePath(self.refused).name}” is too large: the limit is {LIMIT_LABEL}, and "
                "the upload was stopped there."
            )
        data = super().clean()
        text, upload = data.get("text") or "", data.get("file")
        if text.strip() and upload:
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        if upload:
            data["text"] = self._read_upload(upload)
            data["source_name"] = PurePath(upload.name).name
        elif not text.strip():
            raise forms.ValidationError("Paste the article's text or choose a file to upload.")
        else:
            data["source_name"] = ""
        return data

    def _read_upload(self, upload) -> str:
        if PurePath(upload.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(
                f"“{upload.name}” is not a .txt or .md file. Save the article as plain text."
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"“{upload.name}” is {upload.size / (1024 * 1024):.1f} MB; the limit is "
                f"{LIMIT_LABEL}."
            )
        try:
            return decode(upload.read())
        except ParseError as error:
            raise forms.ValidationError([str(p) for p in error.problems]) from None
