from django import forms
from django.utils.translation import gettext_lazy as _


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"), max_length=16, strip=True,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True, "data-testid": "otp-code"}),
        help_text=_("The six digits the app shows now."),
    )


class VerifyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "one-time-code", "autofocus": True,
                                      "data-testid": "otp-code"}),
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
    )
