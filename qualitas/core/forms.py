from django import forms

from qualitas.core.comments import MAX_LENGTH
from qualitas.framework.forms import style_widgets


class AttachmentForm(forms.Form):
    """The upload form on a record's Attachments tab. The file is checked by the attachment
    service (type from the content, size, name); this form only reads it."""

    description = forms.CharField(max_length=500, required=False, help_text="What the file is (optional).")
    file = forms.FileField(allow_empty_file=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", max_length=MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
