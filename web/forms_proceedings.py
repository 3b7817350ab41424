"""Forms of the criminal-track pages: what each step of a tip or a criminal case needs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import AgencyKind, Unit
from proceedings.models import Offence, TipOutcome, Verdict


class StepForm(forms.Form):
    """A step that needs nothing but, where the table asks for it, the reason."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClassifyForm(forms.Form):
    offence = forms.ChoiceField(label=_("Classification"), choices=Offence.choices)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=TipOutcome.choices)
    decision_number = forms.CharField(label=_("Decision number"), max_length=64, required=False)
    summary = forms.CharField(
        label=_("Summary of the criminal case opened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CaseStepForm(StepForm):
    """Conclude, return, indict, discontinue: the reason, a decision's number, the Court."""

    number = forms.CharField(label=_("Decision number"), max_length=64, required=False)
    court_unit = forms.ModelChoiceField(
        label=_("Court trying the case"),
        queryset=Unit.objects.filter(kind=AgencyKind.COURT, is_active=True),
        required=False,
    )


class JudgmentForm(CaseStepForm):
    """The judgment: a verdict, and for a conviction the sentence, per indicted offender."""

    def __init__(self, *args, offenders: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offenders = offenders
        for row in offenders:
            name = row.get("full_name") or row["role_label"]
            self.fields[f"verdict_{row['id']}"] = forms.ChoiceField(
                label=_("Verdict for %(offender)s") % {"offender": name}, choices=Verdict.choices
            )
            self.fields[f"sentence_{row['id']}"] = forms.IntegerField(
                label=_("Sentence in months"), min_value=1, max_value=600, required=False
            )

    def verdicts(self) -> list[tuple[str, str, int | None]]:
        """(offender id, verdict, months) for each offender on the form."""
        data = self.cleaned_data
        return [
            (str(row["id"]), data[f"verdict_{row['id']}"], data[f"sentence_{row['id']}"])
            for row in self.offenders
        ]
