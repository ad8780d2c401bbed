"""Inlines whose rows carry a `position`: bylines, attributions, related links.

Their rows point at authors, sources and stories through autocomplete fields. Django would fetch each row's
choice again to print it, and again to validate it on save: one query per row and field. Here the inline loads
the rows with their choices (select_related) and each form names and validates an unchanged choice from it.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.translation import gettext_lazy as _


class LoadedChoiceField(forms.ModelChoiceField):
    """A choice that is the row's own, already loaded object is taken as it is, without a query."""

    loaded = None

    def to_python(self, value):
        if self.loaded is not None and str(value) == str(self.loaded.pk):
            return self.loaded
        return super().to_python(value)


class LoadedChoiceAutocomplete(AutocompleteSelect):
    """Prints the row's own, already loaded choice without fetching it again."""

    loaded = None
    loaded_label = None  # shown instead of the loaded choice's own name, which this user may not read

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if self.loaded is None or selected != {str(self.loaded.pk)}:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.loaded_label or self.choices.field.label_from_instance(self.loaded)
        options.append(self.create_option(name, self.loaded.pk, label, True, len(options)))
        return [(None, options, 0)]


class OrderedInlineForm(forms.ModelForm):
    """A row whose position is left empty (or 0) keeps the place it was submitted in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        position = self.fields["position"]
        position.required = False
        position.help_text = _("Leave empty to keep the order of the rows.")
        if self.instance.pk is None:
            self.initial["position"] = None
        self.use_loaded_choices()

    def use_loaded_choices(self):
        for name, field in self.fields.items():
            if isinstance(field, LoadedChoiceField) and self.instance.pk is not None:
                relation = self.instance._meta.get_field(name)
                if relation.is_cached(self.instance):
                    field.loaded = getattr(self.instance, name)
                    getattr(field.widget, "widget", field.widget).loaded = field.loaded

    def clean_position(self):
        return self.cleaned_data["position"] or 0

    def _get_validation_exclusions(self):
        # A row's own loaded choice exists (it was just read), so the model's foreign-key check would only
        # fetch it again; and being unchanged, it cannot newly break a unique constraint.
        exclusions = super()._get_validation_exclusions()
        for name, field in self.fields.items():
            loaded = getattr(field, "loaded", None)
            if loaded is not None and self.cleaned_data.get(name) is loaded:
                exclusions.add(name)
        return exclusions

    def validate_unique(self):
        # A stored row left as it was cannot newly clash; rows that changed are checked, and the formset checks
        # the rows against each other.
        if self.instance.pk is None or self.has_changed():
            super().validate_unique()


def assign_positions(forms):
    """Number the rows 1..n by the position typed, else by where the row was submitted; ties keep that order."""
    ranked = sorted(enumerate(forms, 1), key=lambda item: (item[1].instance.position or item[0], item[0]))
    for position, (_index, form) in enumerate(ranked, 1):
        form.instance.position = position


class LoadedRowsFormSet(forms.BaseInlineFormSet):
    """Takes each stored row's hidden id as the row already loaded, instead of fetching it again to check it."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        name = self._pk_field.name
        if form.instance.pk is not None and isinstance(form.fields.get(name), forms.ModelChoiceField):
            field = form.fields[name]
            form.fields[name] = LoadedChoiceField(
                field.queryset, initial=field.initial, required=False, widget=field.widget
            )
            form.fields[name].loaded = form.instance


class OrderedInline(admin.TabularInline):
    """Rows as table lines, one line a row, so an editor sees them all at once."""

    form = OrderedInlineForm
    formset = LoadedRowsFormSet
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.get_autocomplete_fields(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", LoadedChoiceAutocomplete(db_field, self.admin_site, using=kwargs.get("using")))
            kwargs.setdefault("form_class", LoadedChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
