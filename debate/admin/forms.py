"""Forms and widgets of the annotation workspace: the stance forms, their layout, and the bulk
stance action's form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..editing.history import TRACKED, conflict_report
from ..editing.revisions import MERGEABLE, NOT_YOURS, may_change, merge_edits
from ..editing.roles import is_reviewer
from ..models import Confidence, Proposition, ReviewState, Stance, StanceValue, display_name
from ..text import render_markdown

# A stance's form, on the claim page (inline) and on its own: the three choices side by side,
# so that it fits on a screen.
STANCE_RADIOS = {
    "value": admin.HORIZONTAL,
    "confidence": admin.HORIZONTAL,
    "review_state": admin.HORIZONTAL,
}
STANCE_LAYOUT = [
    "proposition",
    ("value", "confidence", "review_state"),
    "rationale",
    "evidence",
    "version",
    "provenance",
]


def words(items: Iterable[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


PREVIEW_EMPTY = '<p class="tl-preview__empty">Nothing to preview yet.</p>'
PREVIEW_TOO_LONG = (
    '<p class="tl-preview__empty">Too long to preview; the limit is '
    f"{Stance.RATIONALE_MAX_LENGTH:,} characters.</p>"
)
# Nothing longer than the field holds is rendered, for the live preview or the form.
PREVIEW_LIMIT = Stance.RATIONALE_MAX_LENGTH


def preview_html(text: str) -> str:
    """A rationale as readers will see it, or a note when it is too long to be saved."""
    if len(text) > PREVIEW_LIMIT:
        return PREVIEW_TOO_LONG
    return render_markdown(text) or PREVIEW_EMPTY


class MarkdownPreviewTextarea(forms.Textarea):
    """A Markdown textarea with a live preview below it, rendered by the server (HTMX) through
    the same sanitizer as the public pages, so the editor sees exactly what readers will.

    ``stored`` is the saved text and its stored HTML (``Stance.rationale_html``): opening a
    stance shows that HTML rather than rendering the text again on every visit."""

    stored: tuple[str, str] | None = None

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"rows": 3, "cols": 80, **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "hx-post": reverse("admin:debate_stance_preview"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "next .tl-preview__body",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        return context

    def render(self, name: str, value: Any, attrs=None, renderer=None) -> str:
        textarea = super().render(name, value, attrs, renderer)
        text = value or ""
        if self.stored is not None and self.stored[0] == text and self.stored[1]:
            preview = self.stored[1]
        else:
            preview = preview_html(text)
        return format_html(
            '<div class="tl-markdown">{}'
            '<div class="tl-preview" role="region" aria-label="Preview: the rationale as readers '
            'will see it"><p class="tl-preview__title" aria-hidden="true">Preview</p>'
            '<div class="tl-preview__body" aria-live="polite">{}</div></div></div>',
            textarea,
            mark_safe(preview),  # noqa: S308  (sanitized by render_markdown)
        )


STANCE_WIDGETS = {
    "rationale": MarkdownPreviewTextarea(),
    "evidence": forms.Textarea(attrs={"rows": 2, "cols": 80}),
    "version": forms.HiddenInput(),
}
CONFIDENCE_REQUIRED = "Say how sure you are: low, medium or high."


class StanceForm(forms.ModelForm):
    """One stance, on the claim page (inline) or on its own page.

    ``user`` is the logged-in editor: it decides whether "reviewed" may be chosen. The hidden
    ``version`` is the one the editor loaded; saving from an older one is refused.
    """

    user = None  # set per request by the admin (a class made for each request)

    class Meta:
        model = Stance
        fields = ["proposition", "value", "confidence", "rationale", "evidence", "review_state"]
        widgets = STANCE_WIDGETS

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.user = user
        rationale = self.fields.get("rationale")
        if rationale is not None and self.instance.pk and not self.is_bound:
            rationale.widget.stored = (self.instance.rationale, self.instance.rationale_html)
        confidence = self.fields.get("confidence")
        if confidence is not None:
            confidence.choices = Confidence.choices
            confidence.error_messages["required"] = CONFIDENCE_REQUIRED
            # Stances made before confidence was asked may stay blank until someone edits them.
            confidence.required = self.instance.pk is None
        if "value" in self.fields:
            self.fields["value"].choices = StanceValue.choices
        state = self.fields.get("review_state")
        if state is not None and not self.may_review and not self.was_reviewed:
            state.choices = [c for c in state.choices if c[0] != ReviewState.REVIEWED]
            state.help_text = "Reviewers mark stances reviewed."
            state.error_messages["invalid_choice"] = "Only reviewers can mark a stance reviewed."

    @property
    def may_review(self) -> bool:
        return self.user is not None and is_reviewer(self.user)

    @property
    def was_reviewed(self) -> bool:
        return self.instance.pk is not None and self.instance.review_state == ReviewState.REVIEWED

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.check_annotator()
        self.check_version(cleaned)
        if (
            cleaned.get("review_state") == ReviewState.REVIEWED
            and not self.was_reviewed
            and not self.may_review
        ):
            self.add_error("review_state", "Only reviewers can mark a stance reviewed.")
        if "confidence" in self.fields and self.has_changed() and not cleaned.get("confidence"):
            self.add_error("confidence", CONFIDENCE_REQUIRED)
        return cleaned

    def check_annotator(self) -> None:
        """Refuse a change to another annotator's stance by an editor who is not a reviewer
        (``save_stance`` refuses it too; this says so on the form)."""
        stance = self.instance
        if stance.pk is None or self.user is None or not self.has_changed():
            return
        if not may_change(stance, self.user):
            name = display_name(stance.annotator)
            raise forms.ValidationError(NOT_YOURS.format(name=name), code="not_yours")

    def check_version(self, cleaned: dict[str, Any]) -> None:
        """Refuse the save when someone saved this stance after the editor loaded it.

        Nothing is written. The form comes back with the other editor's changes merged in
        where this editor had left a field alone, their own edits kept everywhere else, and
        the current version, so that saving again is a deliberate, informed choice.
        """
        if self.instance.pk is None or "version" not in self.fields:
            return
        loaded = cleaned.get("version")
        current = Stance.objects.select_related("proposition", "annotator", "reviewed_by")
        if transaction.get_connection().in_atomic_block:
            # Hold the row until our save commits, so a concurrent save waits and then sees
            # the new version instead of slipping through (PostgreSQL; SQLite locks it all).
            current = current.select_for_update(of=("self",))
        stance = current.filter(pk=self.instance.pk).first()
        if loaded is None or stance is None or loaded == stance.version:
            return
        mine = {field: cleaned.get(field) for field in MERGEABLE if field in self.fields}
        if "proposition" in mine:
            chosen = mine["proposition"]
            mine["proposition"] = chosen.label if chosen is not None else None
        merge = merge_edits(stance, loaded, mine)
        data = self.data.copy()
        for field, value in merge.take_theirs.items():
            data[self.add_prefix(field)] = value
        data[self.add_prefix("version")] = stance.version
        self.data = data
        cleaned["version"] = stance.version
        messages = [
            "Someone else saved this stance while you were editing it, so nothing was saved.",
            *conflict_report(stance.pk, loaded),
        ]
        if merge.take_theirs:
            taken = words(TRACKED[field] for field in merge.take_theirs)
            messages.append(f"The form now shows their {taken}, which you had not changed.")
        if merge.clashes:
            clashed = words(TRACKED[field] for field in merge.clashes)
            messages.append(
                f"You both changed the {clashed}: the form keeps yours. Saving again replaces "
                "theirs; reload the page to start from their version instead."
            )
        else:
            messages.append("Check the form and save again to add your changes to theirs.")
        raise forms.ValidationError(messages, code="conflict")


class StanceAdminForm(StanceForm):
    """A stance on its own page, where the claim is a field too. Refuses a second stance by
    the same annotator on the claim and proposition before the database would: the annotator
    is not a form field, so the model form cannot check the constraint itself."""

    class Meta(StanceForm.Meta):
        fields = ["claim", *StanceForm.Meta.fields, "version"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        claim, proposition = cleaned.get("claim"), cleaned.get("proposition")
        annotator = self.instance.annotator_id or getattr(self.user, "pk", None)
        if claim is None or proposition is None or annotator is None:
            return cleaned
        taken = Stance.objects.filter(claim=claim, proposition=proposition, annotator=annotator)
        if taken.exclude(pk=self.instance.pk).exists():
            mine = annotator == getattr(self.user, "pk", None)
            whose = "You already have" if mine else "Its annotator has"
            self.add_error(
                "proposition",
                f"{whose} a stance on this claim for this proposition: edit that one.",
            )
        return cleaned


class InlineStanceForm(StanceForm):
    class Meta(StanceForm.Meta):
        fields = [*StanceForm.Meta.fields, "version"]


class StanceFormSet(BaseInlineFormSet):
    """Stances on the claim page. Refuses a second stance by the same editor on the same
    proposition before the database would: the annotator is not a form field, so the model
    form cannot check it itself."""

    user = None

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "user": self.user}

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            stance = form.instance
            if not self._should_delete_form(form) or stance.pk is None or self.user is None:
                continue
            if not may_change(stance, self.user):
                name = display_name(stance.annotator)
                raise forms.ValidationError(NOT_YOURS.format(name=name), code="not_yours")
        seen: set[int] = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            proposition = form.cleaned_data.get("proposition")
            if proposition is None:
                continue
            annotator_id = form.instance.annotator_id or getattr(self.user, "pk", None)
            if annotator_id != getattr(self.user, "pk", None):
                continue
            clash = proposition.pk in seen or (
                self.instance.pk is not None
                and Stance.objects.filter(
                    claim=self.instance, proposition=proposition, annotator_id=annotator_id
                )
                .exclude(pk=form.instance.pk)
                .exists()
            )
            if clash:
                form.add_error(
                    "proposition",
                    "You already have a stance on this claim for this proposition: edit that one.",
                )
            seen.add(proposition.pk)


class SetStanceForm(forms.Form):
    """The bulk action's form: one stance by the editor on every selected claim."""

    proposition = forms.ModelChoiceField(
        queryset=Proposition.objects.order_by("label"), empty_label=None
    )
    value = forms.ChoiceField(label="Stance", choices=StanceValue.choices, widget=forms.RadioSelect)
    confidence = forms.ChoiceField(choices=Confidence.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        widget=MarkdownPreviewTextarea(),
        help_text="Why, in a sentence or two (Markdown). The same text goes on every claim.",
        max_length=Stance.RATIONALE_MAX_LENGTH,
    )
    review_state = forms.ChoiceField(
        label="Review state",
        choices=[(ReviewState.DRAFT, "draft"), (ReviewState.PUBLISHED, "published")],
        initial=ReviewState.DRAFT,
        widget=forms.RadioSelect,
        help_text="Drafts stay off the public pages until someone publishes them.",
    )
