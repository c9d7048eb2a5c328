"""Forms of the register: public contact form (FR/EN), agent entry, answer, library."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.antibot import ProofOfWorkField
from engagements.csvio import MIN_DATE
from engagements.forms import (  # noqa: F401  (the shared wait forms, used by the views)
    MAX_UPLOAD,
    SIGNATURES,
    DeliverableEmailField,
    DocumentUploadForm,
    DsfrForm,
    DsfrModelForm,
    ExtendWaitForm,
    FrenchOptionsSelect,
    ModelChoiceField,
    MoreTimeForm,
    UserChoiceField,
    check_upload,
)
from engagements.organisation.enums import Channel, RoleKind
from engagements.organisation.models import Service, Site

from .enums import AnswerChannel, ClosedReason, Kind, Status, TemplatePurpose
from .models import RegisterSettings, Topic


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ServiceChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.site.name} — {obj.name}"


class ContactForm(DsfrForm):
    """The public "Nous écrire" form; collects only what is needed to answer."""

    service = ServiceChoiceField(
        label=_("Service concerné"),
        queryset=Service.objects.none(),
        empty_label=_("Choisissez un service"),
        help_text=_("Les services sont classés par lieu d'accueil."),
        widget=FrenchOptionsSelect,
    )
    kind = forms.ChoiceField(
        label=_("Votre message est"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.INFORMATION,
    )
    name = forms.CharField(label=_("Nom et prénom"), max_length=200)
    email = DeliverableEmailField(
        label=_("Adresse électronique"),
        help_text=_("Nous y envoyons l'accusé de réception et la réponse. Format : nom@domaine.fr"),
    )
    subject = forms.CharField(label=_("Objet"), max_length=200)
    body = forms.CharField(
        label=_("Votre message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "5 000 caractères au plus. N'indiquez pas d'informations sensibles (santé, "
            "numéro de sécurité sociale)."
        ),
    )
    attachment = forms.FileField(
        label=_("Pièce jointe"),
        required=False,
        help_text=_("Un fichier PDF, JPEG ou PNG de 5 Mo au plus."),
    )
    altcha = ProofOfWorkField()

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefecture = prefecture
        self.fields["service"].queryset = (
            Service.objects.filter(
                site__prefecture=prefecture, site__is_active=True, is_active=True
            )
            .select_related("site")
            .order_by("site__position", "site__name", "name")
        )
        # One group per site (optgroup): the person picks the place, then the service.
        groups: dict[str, list[tuple[int, str]]] = {}
        for service in self.fields["service"].queryset:
            groups.setdefault(service.site.name, []).append((service.pk, service.name))
        self.fields["service"].choices = [("", self.fields["service"].empty_label)] + [
            (site_name, options) for site_name, options in groups.items()
        ]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["attachment"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean_attachment(self):
        return check_upload(self.cleaned_data.get("attachment"))


class FollowLookupForm(DsfrForm):
    """Reference and e-mail address: the follow link is mailed when they match."""

    reference = forms.CharField(
        label=_("Référence de votre demande"),
        max_length=20,
        help_text=_("Elle figure dans l'accusé de réception. Format : 2026-000123"),
    )
    email = forms.EmailField(
        label=_("Adresse électronique"),
        max_length=254,
        help_text=_("Celle avec laquelle vous nous avez écrit. Format : nom@domaine.fr"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class CloseOverdueForm(DsfrForm):
    """The agent closes a message whose documents never came."""

    note = forms.CharField(label="Précision (interne)", max_length=1000, required=False)


class DocumentsRequestForm(DsfrForm):
    """The agent asks for missing documents (the "fiche pièces manquantes")."""

    documents = forms.CharField(
        label="Pièces manquantes",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "Une pièce par ligne. L'usager dispose de 8 jours, indicatifs, pour les transmettre ;"
            " il peut demander un délai complémentaire depuis la page de suivi."
        ),
    )


class DocumentsReceivedForm(DsfrForm):
    """The agent records documents received by post, at the counter or by e-mail."""

    received_on = forms.DateField(
        label="Reçues le", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label="Précision", max_length=300, required=False)


class EntryForm(DsfrForm):
    """Agent entry of a letter, a suggestion-box form or an SP+ experience."""

    channel = forms.ChoiceField(
        label="Canal",
        choices=[
            (Channel.LETTER, Channel.LETTER.label),
            (Channel.BOX, Channel.BOX.label),
            (Channel.SP_PLUS, Channel.SP_PLUS.label),
            (Channel.EMAIL, Channel.EMAIL.label),
            (Channel.SOCIAL, Channel.SOCIAL.label),
        ],
    )
    social_account = forms.ChoiceField(
        label="Compte de la préfecture sur les réseaux sociaux",
        required=False,
        help_text="Pour un message reçu sur les réseaux sociaux : le compte qui l'a reçu.",
    )
    service = ServiceChoiceField(label="Service", queryset=Service.objects.none())
    kind = forms.ChoiceField(label="Nature", choices=Kind.choices)
    topic = ModelChoiceField(label="Thème", queryset=Topic.objects.none(), required=False)
    received_on = forms.DateField(
        label="Reçu le", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sender_name = forms.CharField(label="Nom de l'usager", max_length=200, required=False)
    sender_address = forms.CharField(
        label="Adresse postale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Telle qu'elle figurera sur la fenêtre de l'enveloppe.",
    )
    sender_email = DeliverableEmailField(label="Courriel", required=False)
    sender_phone = forms.CharField(label="Téléphone", max_length=40, required=False)
    subject = forms.CharField(label="Objet", max_length=300)
    body = forms.CharField(
        label="Texte (ou résumé)", widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    scans = MultipleFileField(
        label="Courrier numérisé et pièces jointes",
        required=False,
        help_text="Jusqu'à 5 fichiers PDF, JPEG ou PNG de 5 Mo au plus chacun.",
    )

    def __init__(self, *args, prefecture, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services.filter(is_active=True).order_by(
            "site__position", "name"
        )
        self.fields["topic"].queryset = Topic.objects.filter(prefecture=prefecture, is_active=True)
        self.fields["received_on"].initial = timezone.localdate()
        from .models import RegisterSettings

        accounts = RegisterSettings.for_prefecture(prefecture).social_account_list
        self.fields["social_account"].choices = [("", "—")] + [(a, a) for a in accounts]

    def clean_scans(self):
        files = self.cleaned_data.get("scans") or []
        if len(files) > 5:
            raise forms.ValidationError("Cinq fichiers au plus.")
        return [check_upload(upload) for upload in files]

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("La date de réception ne peut pas être dans le futur.")
        if value < MIN_DATE:
            # A year typed short in a date box ("0026"): the reference would be "26-000001".
            raise forms.ValidationError(
                f"Vérifiez l'année : {value.year:04d} est hors des années admises "
                f"({MIN_DATE.year} à aujourd'hui)."
            )
        return value

    def clean(self):
        data = super().clean()
        if data.get("channel") == Channel.SOCIAL:
            if len(self.fields["social_account"].choices) > 1 and not data.get("social_account"):
                self.add_error("social_account", "Choisissez le compte qui a reçu le message.")
        elif data.get("social_account"):
            data["social_account"] = ""  # only a social network's message names an account
        if not any(data.get(f) for f in ("sender_email", "sender_address", "sender_phone")):
            if data.get("channel") not in (Channel.BOX, Channel.SOCIAL):
                raise forms.ValidationError(
                    "Indiquez au moins un moyen de répondre : courriel, adresse ou téléphone."
                )
        return data


class ClassifyForm(DsfrForm):
    kind = forms.ChoiceField(label="Nature", choices=Kind.choices)
    topic = ModelChoiceField(label="Thème", queryset=Topic.objects.none(), required=False)
    service = ServiceChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        help_text="Un message arrivé au mauvais service lui est transmis ici ; s'il s'agit "
        "d'un service que vous ne traitez pas, il quitte votre registre.",
    )

    def __init__(self, *args, prefecture, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(prefecture=prefecture)
        self.fields["service"].queryset = services


def agents_choices(prefecture, services):
    """Agents who may work on these services (for assignment): the quality lead, the site
    managers of their sites, the agents of those services or of their whole sites (the
    roles `Access.scope` lets see them). Not the agents of other sites or services, who would
    not even see the message given to them."""
    User = get_user_model()
    service_ids = services.values("pk")
    site_ids = services.values("site_id")
    return (
        User.objects.filter(
            Q(roles__kind=RoleKind.QUALITY_LEAD)
            | Q(roles__kind=RoleKind.SITE_MANAGER, roles__sites__in=site_ids)
            | Q(roles__kind=RoleKind.AGENT, roles__services__in=service_ids)
            | Q(roles__kind=RoleKind.AGENT, roles__sites__in=site_ids),
            is_active=True,
            roles__prefecture=prefecture,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class AssignForm(DsfrForm):
    agent = UserChoiceField(
        label="Agent en charge", queryset=None, empty_label="— Choisir un agent —"
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class AnswerForm(DsfrForm):
    channel = forms.ChoiceField(
        label="Répondre par", choices=AnswerChannel.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label="Objet", max_length=300)
    text = forms.CharField(
        label="Texte de la réponse",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Relisez et personnalisez : le modèle est un point de départ, pas une réponse.",
    )
    answered_on = forms.DateField(
        label="Date de la réponse",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    template_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, message=None, **kwargs):
        super().__init__(*args, **kwargs)
        if message is not None:
            # Only the ways this person can be answered: an e-mail needs his address, a
            # letter his postal address (answer_message refuses the others after the
            # agent has written the whole answer).
            usable = [
                (value, label)
                for value, label in AnswerChannel.choices
                if (
                    message.sender_email if value == AnswerChannel.EMAIL else message.sender_address
                )
            ]
            if usable:
                self.fields["channel"].choices = usable


class CloseForm(DsfrForm):
    # No default reason: a preselected "Doublon" was closing messages for the wrong reason.
    # "Pièces non reçues" belongs to the wait for documents ("Clore : pièces non reçues"),
    # which sends the person the closing letter.
    reason = forms.ChoiceField(
        label="Motif",
        choices=[("", "— Choisir un motif —")]
        + [c for c in ClosedReason.choices if c[0] != ClosedReason.NO_DOCUMENTS],
    )
    note = forms.CharField(
        label="Précision",
        max_length=500,
        required=False,
        help_text="Transmis à une autre administration : laquelle (l'usager en est avisé).",
    )


class CommentForm(DsfrForm):
    text = forms.CharField(
        label="Commentaire interne", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class WorklistFilterForm(DsfrForm):
    q = forms.CharField(label="Rechercher", required=False)
    site = ModelChoiceField(
        label="Site", queryset=Site.objects.none(), required=False, empty_label="Tous", listed=True
    )
    service = ServiceChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        required=False,
        empty_label="Tous",
        listed=True,
    )
    kind = forms.ChoiceField(
        label="Nature", choices=[("", "Toutes")] + Kind.choices, required=False
    )
    channel = forms.ChoiceField(
        label="Canal", choices=[("", "Tous")] + Channel.choices, required=False
    )
    status = forms.ChoiceField(
        label="Statut",
        choices=[
            ("open", "À traiter"),
            ("replied", "Nouveau courriel ou document de l'usager"),
            ("", "Tous"),
        ]
        + Status.choices,
        required=False,
    )
    # Not named "agent": the bulk assignment's field on the same page is (one id each).
    charge = forms.ChoiceField(
        label="Agent en charge",
        choices=[("", "Tous"), ("moi", "Moi"), ("personne", "Personne (non attribués)")],
        required=False,
    )
    late = forms.BooleanField(label="En retard seulement", required=False)
    echeance = forms.ChoiceField(
        label="Échéance",
        choices=[("", "Toutes"), ("demain", "Aujourd'hui ou demain")],
        required=False,
    )
    tri = forms.ChoiceField(
        label="Trier par",
        choices=[
            ("", "Échéance, la plus proche d'abord"),
            ("recus", "Date de réception, les plus récents d'abord"),
        ],
        required=False,
    )

    def __init__(self, *args, sites, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["service"].queryset = services


class TemplateForm(DsfrForm):
    name = forms.CharField(label="Nom du modèle", max_length=200)
    purpose = forms.ChoiceField(label="Usage", choices=TemplatePurpose.choices)
    channel = forms.ChoiceField(label="Support", choices=AnswerChannel.choices)
    service = ServiceChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        required=False,
        help_text="Vide : modèle commun à toute la préfecture.",
    )
    subject = forms.CharField(label="Objet", max_length=300)
    body = forms.CharField(label="Texte", widget=forms.Textarea(attrs={"rows": 18}))

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class VersionForm(DsfrForm):
    subject = forms.CharField(label="Objet", max_length=300)
    body = forms.CharField(label="Texte", widget=forms.Textarea(attrs={"rows": 18}))


class ObservationForm(DsfrForm):
    text = forms.CharField(
        label="Votre observation", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class FiguresForm(DsfrForm):
    """The filters of the figures page, those of `correspondence_report`: site, nature,
    canal and period (year, as it stood at a date)."""

    year = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    at = forms.DateField(
        label="Situation au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Vide : aujourd'hui.",
    )
    site = ModelChoiceField(
        label="Site",
        queryset=Site.objects.none(),
        required=False,
        empty_label="Tous",
        to_field_name="slug",
        listed=True,
    )
    kind = forms.ChoiceField(
        label="Nature", choices=[("", "Toutes")] + Kind.choices, required=False
    )
    channel = forms.ChoiceField(
        label="Canal", choices=[("", "Tous")] + Channel.choices, required=False
    )

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites if sites is not None else Site.objects.none()


# The committee has up to two months to comment on a template version; duplicates are looked
# for over up to three months of working days.
OBSERVATION_DAYS_MAX = 60
DUPLICATE_WINDOW_MAX = 60


class RegisterSettingsForm(DsfrModelForm):
    class Meta:
        model = RegisterSettings
        fields = [
            "retention_years",
            "observation_days",
            "duplicate_window",
            "extension_max_days",
            "social_accounts",
        ]
        widgets = {"social_accounts": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the limit stays as it is (30 days by default).
        self.fields["extension_max_days"].required = False

    def clean_extension_max_days(self):
        value = self.cleaned_data.get("extension_max_days")
        return self.instance.extension_max_days if value is None else value

    def clean_retention_years(self):
        return self._within("retention_years", 10, "Choisissez une durée entre 1 et 10 ans.")

    def clean_observation_days(self):
        return self._within(
            "observation_days",
            OBSERVATION_DAYS_MAX,
            f"Choisissez un délai entre 1 et {OBSERVATION_DAYS_MAX} jours.",
        )

    def clean_duplicate_window(self):
        # Each message registered looks back over this many working days, day by day.
        return self._within(
            "duplicate_window",
            DUPLICATE_WINDOW_MAX,
            f"Choisissez une fenêtre entre 1 et {DUPLICATE_WINDOW_MAX} jours ouvrés.",
        )

    def _within(self, name: str, highest: int, refusal: str) -> int:
        value = self.cleaned_data[name]
        if not 1 <= value <= highest:
            raise forms.ValidationError(refusal)
        return value


class TopicForm(DsfrModelForm):
    class Meta:
        model = Topic
        fields = ["name", "position"]
        labels = {"name": "Nouveau thème"}

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.prefecture = prefecture

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Topic.objects.filter(prefecture=self.instance.prefecture, name__iexact=name).exists():
            raise forms.ValidationError("Ce thème existe déjà.")
        return name


class QuarantineRegisterForm(DsfrForm):
    """Register a mail "à vérifier" by hand: what could be read, checked by the référent."""

    kind = forms.ChoiceField(label="Nature", choices=Kind.choices, initial=Kind.INFORMATION)
    sender_name = forms.CharField(label="Nom de l'usager", max_length=200, required=False)
    sender_email = forms.EmailField(label="Courriel de l'usager", required=False)
    sender_address = forms.CharField(
        label="Adresse postale de l'usager",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Si le courriel ne permet pas de répondre.",
    )
    subject = forms.CharField(label="Objet", max_length=300, required=False)
    body = forms.CharField(
        label="Texte", required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 8})
    )

    def clean(self):
        data = super().clean()
        if not (data.get("sender_email") or data.get("sender_address")):
            raise forms.ValidationError(
                "Indiquez au moins un moyen de répondre (courriel ou adresse postale)."
            )
        return data
