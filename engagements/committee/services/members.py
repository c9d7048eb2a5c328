"""Composition of the committee: the committee itself, colleges, seats, members' logins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from engagements.csvio import read_csv
from engagements.db import analyze
from engagements.organisation.enums import RoleKind
from engagements.organisation.models import Prefecture, Role
from engagements.outbox.services import OutboxError, queue_mail, validate_address
from engagements.shell.dates import add_months
from engagements.words import counted_list

from ..enums import Civility, SeatKind
from ..models import College, Committee, Seat

COLUMNS = [
    "college",
    "organisation",
    "first_name",
    "last_name",
    "email",
    "seat",
    "mandate_start",
    "mandate_end",
]
# Optional: how the member is addressed, so that the minutes agree ("représentée par").
OPTIONAL_COLUMNS = ["civility"]
CIVILITY_VALUES = {
    "madame": Civility.MADAME,
    "mme": Civility.MADAME,
    "monsieur": Civility.MONSIEUR,
    "m.": Civility.MONSIEUR,
    "m": Civility.MONSIEUR,
}
SEAT_VALUES = {
    "titulaire": SeatKind.TITULAR,
    "suppleant": SeatKind.SUBSTITUTE,
    "suppléant": SeatKind.SUBSTITUTE,
}


class MembersError(Exception):
    """A change of the committee's composition was refused (French message)."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    colleges_created: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    # Members whose mandate end was changed on the committee's page since the last import
    # (a mandate ended there) while the file gives the end that import gave: kept.
    kept: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        if not self.kept:
            return []
        return [
            counted_list(
                self.kept,
                "fin de mandat modifiée sur la page du comité depuis le dernier import est gardée",
                "fins de mandat modifiées sur la page du comité depuis le dernier import sont "
                "gardées",
            )
        ]


# The reason an import's writes carry in the seats' history: a mandate end that differs from
# what the last import wrote was changed on the committee's page since, and stays.
IMPORT_CHANGE_REASON = "import"
# How a reason reads where the history is shown (the admin's page of a seat): the import's
# is a code, the erasures' are written in words already.
HISTORY_REASON_LABELS = {IMPORT_CHANGE_REASON: "Import de la liste des membres"}


def history_reason_label(reason: str | None) -> str:
    """A seat's history reason in words ("" when the change gave none)."""
    return HISTORY_REASON_LABELS.get(reason or "", reason or "")


def committee_for(prefecture: Prefecture) -> Committee:
    """The prefecture's committee, created on first use."""
    committee, _ = Committee.objects.get_or_create(prefecture=prefecture)
    return committee


def update_committee(committee: Committee, **fields) -> Committee:
    """Change the committee's settings (kind, order, planned audit, invitation delay)."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(committee, name, value)
        committee.save(update_fields=list(fields))
    return committee


def _college(committee: Committee, name: str, created: list[str]) -> College:
    college = College.objects.filter(committee=committee, name__iexact=name).first()
    if college is None:
        position = committee.colleges.count() + 1
        college = College.objects.create(committee=committee, name=name, position=position)
        created.append(name)
    return college


def import_members(prefecture: Prefecture, data: bytes | str) -> ImportResult:
    """Import the members' list (all or nothing; the same file twice changes nothing)."""
    table = read_csv(data, required=COLUMNS, optional=OPTIONAL_COLUMNS)
    parsed = []
    seen: dict[tuple, int] = {}
    for row in table:
        college = row.text("college", required=True, max_length=200)
        organisation = row.text("organisation", required=True, max_length=200)
        first_name = row.text("first_name", max_length=100)
        last_name = row.text("last_name", max_length=100)
        email = row.text("email", max_length=254)
        if email:
            try:
                email = validate_address(email)
            except OutboxError as exc:
                row.error("email", str(exc))
        kind = row.choice("seat", SEAT_VALUES)
        # A file without the column leaves the seats' civility as it was.
        civility = (
            row.choice("civility", CIVILITY_VALUES, required=False, label="civilité", feminine=True)
            or ""
            if "civility" in table.header
            else None
        )
        start = row.date("mandate_start")
        end = row.date("mandate_end")
        if start and end and end < start:
            row.error("mandate_end", "la fin du mandat précède son début")
        # The seat's identity (as matched below): a second line would silently win.
        key = (college.casefold(), organisation, first_name, last_name, kind, start)
        if row.ok and key in seen:
            row.error("organisation", f"même membre que la ligne {seen[key]}")
        if row.ok:
            seen[key] = row.line
            parsed.append(
                (college, organisation, first_name, last_name, email, kind, start, end, civility)
            )
    table.raise_errors()

    result = ImportResult()
    today = timezone.localdate()
    # A former member's address is forgotten after the retention period (purge_former_members):
    # an old file imported again does not bring it back, nor invite her.
    forget_before = add_months(today, -settings.COMMITTEE_FORMER_MEMBER_RETENTION_MONTHS)
    with transaction.atomic():
        analyze(Seat, College)  # fresh statistics once committed
        committee = committee_for(prefecture)
        imported_end = dict(
            Seat.history.filter(committee=committee, history_change_reason=IMPORT_CHANGE_REASON)
            .order_by("history_date", "history_id")
            .values_list("id", "mandate_end")
        )  # the last import's end by seat (later records win)
        for college_name, organisation, first, last, email, kind, start, end, civility in parsed:
            college = _college(committee, college_name, result.colleges_created)
            seat = Seat.objects.filter(
                college=college,
                organisation=organisation,
                first_name=first,
                last_name=last,
                kind=kind,
                mandate_start=start,
            ).first()
            if seat is not None and end is None:
                # An empty end says "not known", not "reopen": a mandate ended since on
                # the committee's page stays ended.
                end = seat.mandate_end
            if (
                seat is not None
                and end != seat.mandate_end
                and seat.pk in imported_end
                and imported_end[seat.pk] == end
            ):
                # Changed on the committee's page (a mandate ended) since the last import,
                # and the file says what that import said: it brings nothing newer. A file
                # with another date than the last import's still sets it.
                end = seat.mandate_end
                result.kept.append(f"{seat.person_name or seat.organisation} ({college.name})")
            if end is not None and end < forget_before:
                email = ""
            if seat is None:
                seat = Seat(
                    committee=committee,
                    college=college,
                    organisation=organisation,
                    first_name=first,
                    last_name=last,
                    email=email,
                    kind=kind,
                    mandate_start=start,
                    mandate_end=end,
                    civility=civility or "",
                )
                seat._change_reason = IMPORT_CHANGE_REASON
                seat.save()
                result.created += 1
            elif (seat.email, seat.mandate_end, seat.civility) != (
                email,
                end,
                seat.civility if civility is None else civility,
            ):
                seat.email, seat.mandate_end = email, end
                seat.civility = seat.civility if civility is None else civility
                seat._change_reason = IMPORT_CHANGE_REASON
                seat.save(update_fields=["email", "mandate_end", "civility"])
                result.updated += 1
            else:
                result.unchanged += 1
            if (first or last) and email and seat.user_id is None and (end is None or end >= today):
                if offer_login(seat):
                    result.invited.append(email)
    return result


def _invitation_context(seat: Seat, prefecture, user) -> dict:
    # Django's reset tokens expire after PASSWORD_RESET_TIMEOUT (three days by default):
    # the mail says how long, and whom to ask once it has passed.
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    return {
        "seat": seat,
        "prefecture": prefecture,
        "url": _invitation_url(user),
        "valid_days": days,
    }


def _invitation_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("committee:set-password", args=[uid, token])


def offer_login(seat: Seat) -> bool:
    """Give a named member with an e-mail a committee_member login; True when an invitation
    to set a password was queued (a user who already has a password is only linked)."""
    if not (seat.person_name and seat.email):
        raise MembersError("Seul un membre nommé disposant d'un courriel peut recevoir un accès.")
    prefecture = seat.committee.prefecture
    User = get_user_model()
    email = seat.email.lower()
    invited = False
    with transaction.atomic():
        user = (
            User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email[:150]))
            .order_by("pk")
            .first()
        )
        if user is None:
            user = User(
                username=email[:150],
                email=email,
                first_name=seat.first_name[:150],
                last_name=seat.last_name[:150],
            )
            user.set_unusable_password()
            user.save()
        role_exists = Role.objects.filter(
            user=user, prefecture=prefecture, kind=RoleKind.COMMITTEE_MEMBER
        ).exists()
        if not role_exists:
            Role.objects.create(user=user, prefecture=prefecture, kind=RoleKind.COMMITTEE_MEMBER)
        seat.user = user
        seat.save(update_fields=["user"])
        if not user.has_usable_password() and not role_exists:
            queue_mail(
                "committee/mail/member_invitation",
                _invitation_context(seat, prefecture, user),
                [email],
                prefecture=prefecture,
                record=seat,
                purpose="committee-member-invitation",
            )
            invited = True
    return invited


def resend_login_invitation(seat: Seat) -> None:
    """Send the set-password link again (the member lost it or it expired)."""
    if seat.user is None or not seat.email:
        raise MembersError("Ce membre n'a pas d'accès à l'espace des membres.")
    with transaction.atomic():
        queue_mail(
            "committee/mail/member_invitation",
            _invitation_context(seat, seat.committee.prefecture, seat.user),
            [seat.email],
            prefecture=seat.committee.prefecture,
            record=seat,
            purpose="committee-member-invitation",
        )


def end_mandate(seat: Seat, *, on: date) -> Seat:
    """End a seat's mandate; past attendance keeps its snapshot. A mandate ended before
    today takes the member's access to the members' space away at once (if no other seat
    holds it), a later end the night after it (`revoke_ended_access`)."""
    if seat.mandate_start and on < seat.mandate_start:
        raise MembersError("La fin du mandat ne peut pas précéder son début.")
    with transaction.atomic():
        seat.mandate_end = on
        seat.save(update_fields=["mandate_end"])
        if seat.user_id is not None:
            revoke_ended_access(today=timezone.localdate(), user=seat.user)
    return seat


def revoke_ended_access(*, today: date | None = None, user=None) -> int:
    """Daily: a member whose every seat on a prefecture's committee has ended loses that
    prefecture's committee_member role (the members' space, its drafts and documents); a
    renewed mandate gives it back (`offer_login`). A role held without any seat (given by an
    administrator) stays. Returns how many roles were taken away."""
    from django.db.models import Exists, OuterRef

    today = today or timezone.localdate()
    seats = Seat.objects.filter(user=OuterRef("user"), committee__prefecture=OuterRef("prefecture"))
    running = seats.filter(Q(mandate_end__isnull=True) | Q(mandate_end__gte=today))
    ended = Role.objects.filter(kind=RoleKind.COMMITTEE_MEMBER).filter(
        Exists(seats), ~Exists(running)
    )
    if user is not None:
        ended = ended.filter(user=user)
    with transaction.atomic():
        _, deleted = ended.delete()
    return deleted.get(Role._meta.label, 0)


def purge_former_members(*, today: date | None = None, months: int | None = None) -> int:
    """Daily housekeeping: forget how to reach a former member once her mandate ended more
    than COMMITTEE_FORMER_MEMBER_RETENTION_MONTHS ago (docs/operations.md), through
    `forget_seat_contact`. Returns how many seats were purged."""
    today = today or timezone.localdate()
    months = months or settings.COMMITTEE_FORMER_MEMBER_RETENTION_MONTHS
    limit = add_months(today, -months)
    due = Seat.objects.filter(mandate_end__lt=limit).filter(~Q(email="") | Q(user__isnull=False))
    purged = 0
    for seat in due.iterator():
        with transaction.atomic():
            forget_seat_contact(seat, reason=RETENTION_ENDED, today=today)
        purged += 1
    return purged


# Why a seat's contact details were erased, as its history says it (plain French, no
# personal data: the history row itself already names the seat).
RETENTION_ENDED = "retention"
AT_REQUEST = "request"
ERASURE_REASONS = {
    RETENTION_ENDED: "Coordonnées effacées : fin de la durée de conservation",
    AT_REQUEST: "Coordonnées effacées à la demande de la personne",
}


def forget_seat_contact(seat: Seat, *, reason: str, today: date | None = None) -> None:
    """Forget how to reach a former member: the seat's e-mail (in its history too), the
    mails sent about the seat, its link to a login, and that login itself when nothing else
    holds it (no role, no other seat, not staff). Stays: the name, civility, organisation,
    college and mandate dates (the composition is a published order, and the minutes,
    whose attendance rows copied the names, are public records). The one way of the daily
    purge and of an erasure on request (committee/personal_data.py); the caller holds the
    transaction. The seat's history gets one line saying that the contact details were
    erased and why (`reason`: RETENTION_ENDED or AT_REQUEST), written by whoever erases."""
    from django.contrib.auth import get_user_model
    from django.db.models import ProtectedError

    from engagements.outbox.services import forget_deliveries

    change_reason = ERASURE_REASONS[reason]
    user_id = seat.user_id
    if user_id is not None:  # the nightly revocation may not have run yet
        revoke_ended_access(today=today or timezone.localdate(), user=user_id)
    stored = Seat.objects.get(pk=seat.pk)
    stored.email, stored.user = "", None
    stored._change_reason = change_reason  # the history line (its user: the request's)
    stored.save(update_fields=["email", "user"])
    seat.email, seat.user = "", None
    Seat.history.filter(id=seat.pk).exclude(email="").update(email="")
    forget_deliveries(Seat, [seat.pk])
    orphan = (
        get_user_model()
        .objects.filter(pk=user_id, is_staff=False, is_superuser=False)
        .exclude(roles__isnull=False)
        .exclude(committee_seats__isnull=False)
        .first()
    )
    if orphan is not None:
        try:
            with transaction.atomic():
                orphan.delete()
        except ProtectedError:  # it signed something that must keep its author
            pass
