from django import forms

from qualitas.notifications.choices import ModeChoices


class PreferencesForm(forms.Form):
    """One choice per notification kind: how (and whether) its e-mails reach the person."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.preferences = list(preferences)
        for preference in self.preferences:
            kind = preference.kind
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                choices=[(mode, ModeChoices.label(mode)) for mode in kind.modes],
                initial=preference.mode,
                widget=forms.RadioSelect,
                help_text=kind.description,
                error_messages={
                    "invalid_choice": "Urgent quality alerts cannot be turned off."
                    if kind.mandatory
                    else "Choose one of the options.",
                },
            )

    def rows(self):
        """(kind, bound field, {mode: checked}) per kind, for the kind × mode table."""
        result = []
        for preference in self.preferences:
            field = self[preference.kind.code]
            value = field.value()
            result.append(
                {
                    "kind": preference.kind,
                    "field": field,
                    "value": value,
                    "is_default": preference.is_default and value == preference.kind.default_mode,
                    "modes": [
                        (mode, ModeChoices.label(mode), mode in preference.kind.modes)
                        for mode in ModeChoices.values()
                    ],
                }
            )
        return result
