"""The référent's screens: composition, meetings, agenda, invitations, attendance,
suggestions. Writes go through services; post/redirect/get."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from engagements.csvio import CsvImportError
from engagements.organisation.access import agent_view

from .. import agenda_documents, pdfs
from ..enums import AttendanceStatus, MeetingStatus, SuggestionStatus
from ..forms import (
    AgendaItemForm,
    AgentSuggestionForm,
    CommitteeForm,
    EndMandateForm,
    ImportForm,
    MeetingDocumentForm,
    MeetingForm,
    SuggestionAnswerForm,
)
from ..models import College, Meeting, Seat, Suggestion
from ..services import documents as document_services
from ..services import meetings as meeting_services
from ..services import members as member_services
from ..services import suggestions as suggestion_services
from ..services.meetings import MeetingError
from ..services.members import MembersError
from ..services.suggestions import SuggestionError
from . import common
from .common import render_agents


@agent_view("manage")
def members(request):
    return _members_page(request)


def _members_page(
    request,
    *,
    settings_form=None,
    import_form=None,
    end_form=None,
    end_seat: Seat | None = None,
    status: int = 200,
):
    """The members' page; a refused form given here comes back as typed, with its errors
    (`end_form` is the refused end of `end_seat`'s mandate, shown on its row)."""
    committee = common.committee(request)
    today = timezone.localdate()
    # A refused end of a mandate not running today (one starting later) is on the full list.
    show_all = request.GET.get("tous") == "1" or (
        end_seat is not None and not end_seat.is_active_on(today)
    )
    seats = common.scoped(request, Seat).select_related("college", "user")
    if not show_all:
        seats = seats.active_on(today)
    colleges = (
        College.objects.filter(committee=committee)
        .annotate(current=Count("seats", filter=Q(seats__in=Seat.objects.active_on(today))))
        .order_by("position", "name")
    )
    return render_agents(
        request,
        "committee/agents/members.html",
        {
            "committee": committee,
            "colleges": colleges,
            "seats": seats,
            "show_all": show_all,
            "today": today,
            "settings_form": settings_form or CommitteeForm(instance=committee),
            "import_form": import_form or ImportForm(),
            "end_form": end_form,
            "end_seat": end_seat.pk if end_seat else None,
        },
        status=status,
    )


@agent_view("manage")
@require_POST
def committee_settings(request):
    committee = common.committee(request)
    form = CommitteeForm(request.POST, instance=committee)
    if not form.is_valid():
        return _members_page(request, settings_form=form, status=400)
    member_services.update_committee(
        committee, **{name: form.cleaned_data[name] for name in form.Meta.fields}
    )
    messages.success(request, "Paramètres du comité enregistrés.")
    return redirect("committee:agents-members", request.prefecture.slug)


def _import_summary(result) -> str:
    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n <= 1 else many}"

    return (
        f"Import terminé : {count(result.created, 'siège ajouté', 'sièges ajoutés')}, "
        f"{count(result.updated, 'mis à jour', 'mis à jour')}, "
        f"{count(result.unchanged, 'inchangé', 'inchangés')} ; "
        f"{count(len(result.invited), 'invitation envoyée', 'invitations envoyées')} "
        "à l'espace des membres."
    )


@agent_view("manage")
@require_POST
def import_members(request):
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = member_services.import_members(
                request.prefecture, form.cleaned_data["file"].read()
            )
        except CsvImportError as exc:
            form.add_error(None, ["Fichier refusé, rien n'a été importé :", *exc.lines])
        else:
            messages.success(request, _import_summary(result))
            return redirect("committee:agents-members", request.prefecture.slug)
    common.file_not_kept(form)
    return _members_page(request, import_form=form, status=400)


@agent_view("manage")
@require_POST
def end_mandate(request, pk: int):
    seat = common.get_seat(request, pk)
    form = EndMandateForm(request.POST)
    if form.is_valid():
        on = form.cleaned_data["on"]
        try:
            member_services.end_mandate(seat, on=on)
        except MembersError as exc:
            form.add_error("on", str(exc))
        else:
            # Neither "Mandat de Association…" nor "terminé" for an end still to come.
            messages.success(
                request, f"Fin du mandat enregistrée au {on:%d/%m/%Y} : {seat.holder}."
            )
            return redirect("committee:agents-members", request.prefecture.slug)
    # Refused: the row again, the date as typed and what is wrong beside it.
    return _members_page(request, end_form=form, end_seat=seat, status=400)


@agent_view("manage")
@require_POST
def resend_access(request, pk: int):
    seat = common.get_seat(request, pk)
    try:
        if seat.user_id:
            member_services.resend_login_invitation(seat)
        else:
            member_services.offer_login(seat)
        messages.success(request, f"Lien d'accès envoyé à {seat.email}.")
    except MembersError as exc:
        messages.error(request, str(exc))
    return redirect("committee:agents-members", request.prefecture.slug)


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def meetings(request):
    committee = common.committee(request)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = meeting_services.plan_meeting(
            committee, actor=request.user, **form.meeting_fields()
        )
        messages.success(request, "Réunion planifiée : composez son ordre du jour.")
        return redirect("committee:agents-meeting", request.prefecture.slug, meeting.pk)
    rows = (
        common.scoped(request, Meeting)
        .annotate(
            items=Count("agenda", distinct=True),
            present=Count(
                "attendance",
                filter=Q(
                    attendance__status__in=[AttendanceStatus.PRESENT, AttendanceStatus.REPRESENTED]
                ),
                distinct=True,
            ),
        )
        .order_by("-starts_at")
    )
    return render_agents(
        request,
        "committee/agents/meetings.html",
        {"committee": committee, "meetings": rows, "form": form},
        status=400 if form.is_bound else 200,  # refused: the form as typed, its errors
    )


def meeting_page(request, meeting: Meeting, *, agenda_form=None, document_form=None, status=200):
    """The meeting's page; a refused form given here comes back as typed, with its errors."""
    return render_agents(
        request,
        "committee/agents/meeting.html",
        _meeting_context(request, meeting, agenda_form=agenda_form, document_form=document_form),
        status=status,
    )


def _meeting_context(request, meeting: Meeting, *, agenda_form=None, document_form=None) -> dict:
    available = agenda_documents.available(meeting)
    by_key = {d.key: d for d in available}
    agenda = list(meeting.agenda.select_related("approves"))
    for item in agenda:
        key = item.document_kind + (f":{item.document_ref}" if item.document_ref else "")
        item.document = by_key.get(key) if item.document_kind else None
    attendance = list(meeting.attendance.select_related("seat").in_list_order())
    # Attendance and "held" wait for the meeting's day (the services refuse them before):
    # neither is offered until then.
    day_reached = timezone.localdate() >= meeting.day
    return {
        "meeting": meeting,
        "committee": meeting.committee,
        "agenda": agenda,
        "attendance": attendance,
        "statuses": AttendanceStatus.choices,
        "agenda_form": agenda_form or AgendaItemForm(documents=available),
        "documents": list(meeting.documents.select_related("agenda_item")),
        "document_form": document_form or MeetingDocumentForm(items=agenda),
        "documents_published": document_services.is_published(meeting),
        "editable": meeting.status in (MeetingStatus.PLANNED, MeetingStatus.CONVENED),
        "can_approve": meeting.status
        not in (MeetingStatus.PLANNED, MeetingStatus.CONVENED, MeetingStatus.CANCELLED),
        "minutes": meeting.current_minutes(),
        "log": meeting.log.select_related("actor"),
        "next_statuses": [
            (s, MeetingStatus(s).label)
            for s in (MeetingStatus.HELD, MeetingStatus.CANCELLED)
            if s in meeting_services.MEETING_TRANSITIONS[meeting.status]
            and (day_reached or s != MeetingStatus.HELD)
        ],
        "day_reached": day_reached,
        "suggestions": meeting.suggestions.all(),
        "attendance_open": day_reached
        and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.CONVENED, MeetingStatus.HELD),
    }


@agent_view("manage")
def meeting_detail(request, pk: int):
    return meeting_page(request, common.get_meeting(request, pk))


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    meeting = common.get_meeting(request, pk)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.update_meeting(meeting, **form.meeting_fields())
        except MeetingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Réunion modifiée.")
            return redirect("committee:agents-meeting", request.prefecture.slug, meeting.pk)
    return render_agents(
        request,
        "committee/agents/meeting_edit.html",
        {"meeting": meeting, "form": form},
        status=400 if form.is_bound else 200,  # refused: the form as typed, its errors
    )


@agent_view("manage")
@require_POST
def agenda_add(request, pk: int):
    meeting = common.get_meeting(request, pk)
    form = AgendaItemForm(request.POST, documents=agenda_documents.available(meeting))
    if form.is_valid():
        try:
            meeting_services.add_agenda_item(
                meeting,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                document_key=form.cleaned_data["document"],
            )
        except MeetingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Point ajouté à l'ordre du jour.")
            return redirect("committee:agents-meeting", request.prefecture.slug, meeting.pk)
    return meeting_page(request, meeting, agenda_form=form, status=400)


@agent_view("manage")
@require_POST
def agenda_change(request, item_pk: int, action: str):
    item = common.get_item(request, item_pk)
    try:
        if action == "retirer":
            meeting_services.remove_agenda_item(item)
        elif action in ("monter", "descendre"):
            meeting_services.move_agenda_item(item, up=action == "monter")
        else:
            raise Http404
    except MeetingError as exc:
        messages.error(request, str(exc))
    return redirect("committee:agents-meeting", request.prefecture.slug, item.meeting_id)


@agent_view("manage")
@require_POST
def invite(request, pk: int):
    meeting = common.get_meeting(request, pk)
    try:
        count = meeting_services.send_invitation(meeting, actor=request.user)
        messages.success(
            request,
            f"Convocation envoyée à {count} membre{'s' if count > 1 else ''}, "
            "avec l'ordre du jour, les documents et l'invitation pour l'agenda.",
        )
    except MeetingError as exc:
        messages.error(request, str(exc))
    return redirect("committee:agents-meeting", request.prefecture.slug, meeting.pk)


@agent_view("manage")
@require_POST
def transition(request, pk: int, to: str):
    meeting = common.get_meeting(request, pk)
    try:
        if to == MeetingStatus.HELD:
            _refuse_held_without_attendance(meeting)
            meeting_services.mark_held(meeting, actor=request.user)
        elif to == MeetingStatus.CANCELLED:
            meeting_services.cancel_meeting(meeting, actor=request.user)
        else:
            raise Http404
        messages.success(request, f"Réunion : {MeetingStatus(to).label.lower()}.")
    except MeetingError as exc:
        messages.error(request, str(exc))
    return redirect("committee:agents-meeting", request.prefecture.slug, meeting.pk)


def _refuse_held_without_attendance(meeting: Meeting) -> None:
    """Marking the meeting held turns every seat still "convoqué" into absent: with nobody
    recorded present or represented — typically the attendance filled in but not saved
    before pressing "held" — the page refuses rather than record every member absent."""
    if timezone.localdate() < meeting.day:
        return  # the service says from which day
    lines = meeting.attendance.aggregate(
        total=Count("pk"),
        came=Count(
            "pk",
            filter=Q(status__in=[AttendanceStatus.PRESENT, AttendanceStatus.REPRESENTED]),
        ),
    )
    if lines["total"] and not lines["came"]:
        raise MeetingError(
            "Aucun membre n'est enregistré présent ou représenté : enregistrez d'abord "
            "les présences (bouton « Enregistrer les présences »), puis marquez la réunion "
            "tenue. Sinon, les membres encore convoqués seraient tous notés absents."
        )


@agent_view("manage")
@require_POST
def attendance(request, pk: int):
    meeting = common.get_meeting(request, pk)
    rows = {}
    for line in meeting.attendance.all():
        status = request.POST.get(f"status_{line.pk}")
        if status:
            rows[line.pk] = (status, request.POST.get(f"by_{line.pk}", ""))
    try:
        meeting_services.record_attendance(meeting, rows)
        messages.success(request, "Présences enregistrées.")
    except MeetingError as exc:
        messages.error(request, str(exc))
    return redirect("committee:agents-meeting", request.prefecture.slug, meeting.pk)


@agent_view("manage")
def sign_in_sheet(request, pk: int):
    meeting = common.get_meeting(request, pk)
    return common.pdf_response(
        pdfs.sign_in_sheet_pdf(meeting), f"emargement-{meeting.day:%Y-%m-%d}.pdf"
    )


@agent_view("manage")
def meeting_ics(request, pk: int):
    meeting = common.get_meeting(request, pk)
    response = HttpResponse(agenda_documents.ics_for(meeting), content_type="text/calendar")
    response["Content-Disposition"] = content_disposition_header(True, "reunion.ics")
    return response


def _suggestion_meetings(request):
    # A suggestion made at a meeting: one that has taken place (or takes place today).
    return (
        common.scoped(request, Meeting)
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(starts_at__date__lte=timezone.localdate())
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def suggestions(request):
    committee = common.committee(request)
    if request.method != "POST":
        return _suggestions_page(request)
    meetings_qs = _suggestion_meetings(request)
    form = AgentSuggestionForm(request.POST, meetings=meetings_qs)
    if form.is_valid():
        meeting = meetings_qs.filter(pk=form.cleaned_data["meeting"]).first()
        try:
            suggestion_services.submit_suggestion(
                committee,
                text=form.cleaned_data["text"],
                author_label=form.cleaned_data["author_label"],
                meeting=meeting,
            )
        except SuggestionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Suggestion enregistrée.")
            return redirect("committee:agents-suggestions", request.prefecture.slug)
    return _suggestions_page(request, form=form, status=400)


def _suggestions_page(request, *, form=None, answer_form=None, answered=None, status=200):
    """The suggestions' page; a refused form given here comes back as typed, with its errors
    (`answer_form` is the refused answer to the suggestion `answered`, shown in its card)."""
    status_filter = request.GET.get("etat", "")
    rows = common.scoped(request, Suggestion).select_related("meeting", "committee__prefecture")
    if status_filter in SuggestionStatus.values:
        rows = rows.filter(status=status_filter)
    rows = list(rows)
    for row in rows:
        if answered is not None and row.pk == answered.pk:
            row.form = answer_form
        else:
            row.form = SuggestionAnswerForm(
                initial={"status": row.status, "answer": row.answer}, prefix=f"s{row.pk}"
            )
    return render_agents(
        request,
        "committee/agents/suggestions.html",
        {
            "suggestions": rows,
            "form": form or AgentSuggestionForm(meetings=_suggestion_meetings(request)),
            "statuses": SuggestionStatus.choices,
            "status": status_filter,
            "accepted": SuggestionStatus.ACCEPTED,
        },
        status=status,
    )


@agent_view("manage")
@require_POST
def suggestion_answer(request, suggestion_pk: int):
    suggestion = common.get_suggestion(request, suggestion_pk)
    form = SuggestionAnswerForm(request.POST, prefix=f"s{suggestion.pk}")
    if form.is_valid():
        try:
            suggestion_services.answer_suggestion(
                suggestion, status=form.cleaned_data["status"], answer=form.cleaned_data["answer"]
            )
        except SuggestionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Réponse enregistrée.")
            return redirect("committee:agents-suggestions", request.prefecture.slug)
    # Refused: the page again, the answer as typed in its suggestion's card.
    return _suggestions_page(request, answer_form=form, answered=suggestion, status=400)
