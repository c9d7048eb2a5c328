"""Forms of the surveys app: the public questionnaire, coupon entry, agents' screens."""

from __future__ import annotations

import re

from django import forms

from engagements.forms import DsfrForm, DsfrModelForm, ModelChoiceField, ModelMultipleChoiceField
from engagements.organisation.models import Prefecture, Service

from .enums import (
    NOT_CONCERNED,
    SCALE_POINTS,
    CheckKind,
    CommentStatus,
    CommentTag,
    QuestionKind,
)
from .models import Campaign, Grid, Question, Questionnaire
from .services import normalise_serial


class AnswerForm(DsfrForm):
    """The questions of a campaign, in the visitor's language; one answer at least.

    `ui` holds the page's strings in that language (surveys/translations.py): scale labels,
    stars, "not concerned", help and error texts.
    """

    def __init__(
        self, *args, questions: list[Question], language: str, ui: dict | None = None, **kwargs
    ):
        from .translations import interface

        super().__init__(*args, **kwargs)
        self.questions = questions
        self.ui = ui = ui or interface(None, language)
        for question in questions:
            label = question.text_in(language)
            name = f"q_{question.code}"
            if question.kind == QuestionKind.TEXT:
                self.fields[name] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    help_text=ui["comment_help"],
                )
                continue
            if question.kind == QuestionKind.STARS:
                choices = [(str(n), ui[f"star_{n}"]) for n in range(1, 6)]
            elif question.kind == QuestionKind.CHOICE:
                choices = [(str(i), c) for i, c in enumerate(question.choices_in(language), 1)]
            elif question.kind == QuestionKind.YES_NO:
                choices = [("1", ui["no"]), ("2", ui["yes"])]
            else:
                choices = [(str(i), ui[f"scale_{i}"]) for i in range(1, 5)]
            if question.not_concerned:
                choices.append((str(NOT_CONCERNED), ui["not_concerned"]))
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
            self.fields[name].question_kind = question.kind
        for field in self.fields.values():
            # The star field is rendered by its own template; the others by the shared one.
            field.is_stars = getattr(field, "question_kind", "") == QuestionKind.STARS

    def clean(self):
        data = super().clean()
        if not any(value not in (None, "") for value in data.values()):
            raise forms.ValidationError(self.ui["empty"])
        return data

    def values(self) -> dict[Question, int | None]:
        return {
            q: self.cleaned_data.get(f"q_{q.code}")
            for q in self.questions
            if q.kind != QuestionKind.TEXT
        }

    def comments(self) -> dict[Question, str]:
        return {
            q: self.cleaned_data.get(f"q_{q.code}") or ""
            for q in self.questions
            if q.kind == QuestionKind.TEXT
        }


class CouponForm(DsfrForm):
    """Fast keyboard entry of a paper coupon: one digit per question, empty = blank."""

    serial = forms.CharField(label="Numéro du coupon", max_length=20)
    service = ModelChoiceField(label="Service", queryset=Service.objects.none())

    def __init__(self, *args, campaign: Campaign, service_ids: set[int] | None = None, **kwargs):
        """`service_ids`: the services the agent works for (None: all the campaign's)."""
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["serial"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "off", "placeholder": f"{campaign.pk}-0001"}
        )
        self.fields["serial"].help_text = f"Format : {campaign.pk}-0001"
        services = campaign.services.select_related("site")
        if service_ids is not None:
            services = services.filter(pk__in=service_ids)
        self.fields["service"].queryset = services
        self.questions = list(campaign.questionnaire.questions.all())
        for q in self.questions:
            name = f"q_{q.code}"
            if q.kind == QuestionKind.TEXT:
                self.fields[name] = forms.CharField(
                    label=f"{q.code} — {q.text}",
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                continue
            top = SCALE_POINTS.get(q.kind) or len(q.choices)
            low = NOT_CONCERNED if q.not_concerned else 1
            self.fields[name] = forms.IntegerField(
                label=f"{q.code} — {q.text}",
                required=False,
                min_value=low,
                max_value=top,
                help_text=f"1 à {top}"
                + (", 0 si « non concerné »" if q.not_concerned else "")
                + ", vide si pas de réponse",
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "numeric",
                        "maxlength": "1" if top < 10 else "2",
                        "autocomplete": "off",
                        "pattern": "[0-9]*",
                        "class": "eng-coupon-digit",
                    }
                ),
                error_messages={
                    "min_value": f"Entre {low} et {top}.",
                    "max_value": f"Entre {low} et {top}.",
                    "invalid": f"Un chiffre entre {low} et {top}.",
                },
            )

    def clean_serial(self) -> str:
        return normalise_serial(self.cleaned_data["serial"])

    def clean(self):
        data = super().clean()
        # As on the public form (one answer at least): a coupon saved with nothing typed
        # (Enter pressed after the number) would burn its serial, and the answers typed
        # afterwards would be refused as a duplicate.
        answers = [data.get(f"q_{q.code}") for q in self.questions]
        if not self.errors and all(value in (None, "") for value in answers):
            raise forms.ValidationError(
                "Aucune réponse saisie : tapez au moins une réponse ou un commentaire du "
                "coupon (un coupon rendu vierge n'est pas enregistré)."
            )
        return data

    def values(self) -> dict[Question, int | None]:
        return {
            q: self.cleaned_data.get(f"q_{q.code}")
            for q in self.questions
            if q.kind != QuestionKind.TEXT
        }

    def comment(self) -> str:
        return " ".join(
            self.cleaned_data.get(f"q_{q.code}") or ""
            for q in self.questions
            if q.kind == QuestionKind.TEXT
        ).strip()


class CouponPrintForm(DsfrForm):
    first = forms.IntegerField(label="Premier numéro", min_value=1, max_value=9999, initial=1)
    count = forms.IntegerField(label="Nombre de coupons", min_value=1, max_value=2000, initial=50)


class ReviewForm(DsfrForm):
    status = forms.ChoiceField(
        label="Décision",
        choices=[
            (CommentStatus.PUBLISHED, "Publier (sans donnée personnelle)"),
            (CommentStatus.HIDDEN, "Écarter"),
        ],
        widget=forms.RadioSelect,
    )
    tags = forms.MultipleChoiceField(
        label="Thèmes",
        choices=CommentTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # Side by side: the page lists every comment to review, each with this form.
    status.inline_choices = tags.inline_choices = True


class CampaignForm(DsfrModelForm):
    services = ModelMultipleChoiceField(
        label="Services concernés",
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Campaign
        fields = ["name", "kind", "site", "questionnaire", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, prefecture: Prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.prefecture = prefecture
        self.fields["site"].queryset = prefecture.sites.all()
        self.fields["questionnaire"].queryset = prefecture.questionnaires.all()
        self.fields["services"].queryset = Service.objects.filter(
            site__prefecture=prefecture, is_active=True
        ).select_related("site")
        if self.instance.pk:
            self.initial["services"] = list(self.instance.services.all())

    def clean(self):
        data = super().clean()
        site, services = data.get("site"), data.get("services") or []
        if site and any(s.site_id != site.pk for s in services):
            self.add_error("services", "Choisissez des services du site de la campagne.")
        return data


class QuestionForm(DsfrModelForm):
    choices_text = forms.CharField(
        label="Choix (un par ligne, pour un choix unique)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text_en = forms.CharField(label="Intitulé en anglais", max_length=300, required=False)

    class Meta:
        model = Question
        fields = ["code", "position", "kind", "criterion", "text", "not_concerned"]

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.questionnaire = questionnaire
        self.extra_languages = [lang for lang in questionnaire.languages if lang != "fr"]
        for lang in self.extra_languages:
            if lang != "en":
                self.fields[f"text_{lang}"] = forms.CharField(
                    label=f"Intitulé ({lang})", max_length=300, required=False
                )
            self.fields[f"choices_{lang}"] = forms.CharField(
                label=f"Choix ({lang}), dans le même ordre",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            entry = self.instance.translations.get(lang) or {}
            self.initial.setdefault(f"text_{lang}", entry.get("text", ""))
            self.initial.setdefault(f"choices_{lang}", "\n".join(entry.get("choices", [])))
        self.initial.setdefault("choices_text", "\n".join(self.instance.choices or []))

    def clean(self):
        data = super().clean()
        self.instance.choices = [
            line.strip() for line in (data.get("choices_text") or "").splitlines() if line.strip()
        ]
        translations = dict(self.instance.translations or {})
        for lang in self.extra_languages:
            text = (data.get(f"text_{lang}") or "").strip()
            entry = dict(translations.get(lang) or {})
            if text:
                entry["text"] = text
            else:
                entry.pop("text", None)
            choices = [
                line.strip()
                for line in (data.get(f"choices_{lang}") or "").splitlines()
                if line.strip()
            ]
            if choices and len(choices) != len(self.instance.choices):
                self.add_error(
                    f"choices_{lang}", "Traduisez chaque choix, un par ligne, dans le même ordre."
                )
            if choices:
                entry["choices"] = choices
            else:
                entry.pop("choices", None)
            translations[lang] = entry
        self.instance.translations = {k: v for k, v in translations.items() if v}
        return data


class LanguagesForm(DsfrForm):
    languages = forms.CharField(
        label="Langues supplémentaires",
        required=False,
        max_length=100,
        help_text="Codes de langue séparés par des virgules (ex. : de, es, ar).",
    )

    def clean_languages(self) -> list[str]:
        codes = [c.strip().lower() for c in self.cleaned_data["languages"].split(",") if c.strip()]
        wrong = [c for c in codes if not re.fullmatch(r"[a-z]{2,3}", c)]
        if wrong:
            raise forms.ValidationError(f"Codes de langue invalides : {', '.join(wrong)}.")
        return [c for c in dict.fromkeys(codes) if c not in ("fr", "en")]


class TranslationForm(DsfrForm):
    """One language: each question's text (and choices), then the page's strings."""

    def __init__(self, *args, questionnaire: Questionnaire, language: str, **kwargs):
        from .translations import LABELS, french_interface, needed_keys

        super().__init__(*args, **kwargs)
        self.questions = list(questionnaire.questions.all())
        self.language = language
        for q in self.questions:
            entry = (q.translations or {}).get(language) or {}
            self.fields[f"text_{q.pk}"] = forms.CharField(
                label=f"Question « {q.code} » : {q.text}",
                max_length=300,
                required=False,
                initial=entry.get("text", ""),
            )
            if q.kind == QuestionKind.CHOICE:
                self.fields[f"choices_{q.pk}"] = forms.CharField(
                    label=f"Choix de « {q.code} » (un par ligne) : {' / '.join(q.choices)}",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    initial="\n".join(entry.get("choices", [])),
                )
        french = french_interface()
        own = (questionnaire.interface_translations or {}).get(language) or {}
        self.interface_keys = needed_keys(self.questions)
        for key in self.interface_keys:
            self.fields[f"ui_{key}"] = forms.CharField(
                label=f"{LABELS[key]} — en français : « {french[key]} »",
                max_length=500,
                required=False,
                initial=own.get(key, ""),
            )

    def questions_data(self) -> dict[int, dict]:
        data = {}
        for q in self.questions:
            entry = {"text": (self.cleaned_data.get(f"text_{q.pk}") or "").strip()}
            if q.kind == QuestionKind.CHOICE:
                raw = self.cleaned_data.get(f"choices_{q.pk}") or ""
                entry["choices"] = [line.strip() for line in raw.splitlines() if line.strip()]
            data[q.pk] = entry
        return data

    def interface_data(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"ui_{key}") or "" for key in self.interface_keys}


class CopyForm(DsfrForm):
    name = forms.CharField(label="Nom de la copie", max_length=200)


class PlanCheckForm(DsfrForm):
    service = ModelChoiceField(label="Service contrôlé", queryset=Service.objects.none())
    grid = ModelChoiceField(label="Grille", queryset=Grid.objects.none())
    checker_prefecture = ModelChoiceField(
        label="Préfecture qui réalise le contrôle",
        queryset=Prefecture.objects.all(),
        help_text="Une autre préfecture pour un contrôle croisé : elle ne verra que la grille.",
    )
    planned_on = forms.DateField(
        label="Date prévue", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, prefecture: Prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        # A closed service receives no call, mail or visit to check.
        self.fields["service"].queryset = Service.objects.filter(
            site__prefecture=prefecture, site__is_active=True, is_active=True
        ).select_related("site")
        self.fields["grid"].queryset = prefecture.grids.all()
        self.fields["checker_prefecture"].initial = prefecture.pk


class GridResultForm(DsfrForm):
    """One row per criterion: met / not met / not assessed, and a note."""

    CHOICES = [("yes", "Oui"), ("no", "Non"), ("na", "Non évalué")]

    def __init__(self, *args, grid: Grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(grid.criteria.all())
        for c in self.criteria:
            self.fields[f"c{c.pk}"] = forms.ChoiceField(
                label=c.label, choices=self.CHOICES, widget=forms.RadioSelect
            )
            self.fields[f"n{c.pk}"] = forms.CharField(
                label=f"Observation — {c.label}", required=False, max_length=500
            )

    def results(self) -> dict[int, tuple[bool | None, str]]:
        mapping = {"yes": True, "no": False, "na": None}
        return {
            c.pk: (mapping[self.cleaned_data[f"c{c.pk}"]], self.cleaned_data[f"n{c.pk}"])
            for c in self.criteria
        }


CRITERION_MAX_LENGTH = 300


class GridForm(DsfrForm):
    kind = forms.ChoiceField(label="Type", choices=CheckKind.choices)
    name = forms.CharField(label="Nom", max_length=200)
    criteria = forms.CharField(
        label="Critères (un par ligne)", widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean_criteria(self) -> list[str]:
        """One criterion per line, blank lines skipped; a line too long for the grid is
        refused with its number (it was cut at 300 characters without a word)."""
        criteria = [line.strip() for line in self.cleaned_data["criteria"].splitlines()]
        too_long = [
            str(number)
            for number, line in enumerate(criteria, start=1)
            if len(line) > CRITERION_MAX_LENGTH
        ]
        if too_long:
            lines = "la ligne" if len(too_long) == 1 else "les lignes"
            raise forms.ValidationError(
                f"Un critère tient en {CRITERION_MAX_LENGTH} caractères au plus : "
                f"raccourcissez {lines} {', '.join(too_long)}."
            )
        return [line for line in criteria if line]  # the field is required: one at least
