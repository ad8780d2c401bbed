"""Inlines whose rows carry a `position`: bylines, attributions, related links."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class OrderedInlineForm(forms.ModelForm):
    """A row whose position is left empty (or 0) keeps the place it was submitted in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        position = self.fields["position"]
        position.required = False
        position.help_text = _("Leave empty to keep the order of the rows.")
        if self.instance.pk is None:
            self.initial["position"] = None

    def clean_position(self):
        return self.cleaned_data["position"] or 0


def assign_positions(forms):
    """Number the rows 1..n by the position typed, else by where the row was submitted; ties keep that order."""
    ranked = sorted(enumerate(forms, 1), key=lambda item: (item[1].instance.position or item[0], item[0]))
    for position, (_index, form) in enumerate(ranked, 1):
        form.instance.position = position


class OrderedInline(admin.TabularInline):
    form = OrderedInlineForm
    extra = 0


def save_ordered(formset):
    formset.save(commit=False)
    for obj in formset.deleted_objects:
        formset.delete_existing(obj)
    deleted = formset.deleted_forms
    kept = [row for row in formset.forms if row not in deleted and (row.instance.pk or row.has_changed())]
    assign_positions(kept)
    for row in kept:
        if row.has_changed() or row.instance.position != row.initial.get("position"):
            row.instance.save()
    formset.save_m2m()


class OrderedInlinesMixin:
    """Saves ordered inlines with contiguous positions, so the public page shows them as the editor arranged them."""

    def save_formset(self, request, form, formset, change):
        if issubclass(formset.form, OrderedInlineForm):
            save_ordered(formset)
        else:
            super().save_formset(request, form, formset, change)
