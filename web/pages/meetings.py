"""Meetings: a group's upcoming and held meetings (and their calendar), one meeting's agenda,
attendance and minutes written together, and its decisions, which may start an intervention.

Mirrors ``api/meetings``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api import localtime, swedish
from web import charts
from web import format as fmt
from web.choices import choices
from web.deps import MAX_FORM_FIELD, MeetingsVisit, PageId, Visit, VisitDep
from web.forms import meetings as forms
from web.forms.sending import Refused, send
from web.pages.incidents import IncidentQuery, IncidentQueryDep, incident_query
from web.pages.situation import map_areas
from web.rendering import finish, page, redirect, render

router = APIRouter()


async def meetings_view(
    request: Request,
    visit: Visit,
    group_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    group = await visit.api.group(group_id)
    upcoming = await visit.api.meetings(group_id, upcoming=True)
    held = [m for m in await visit.api.meetings(group_id) if m.id not in {u.id for u in upcoming}]
    if values is None:
        suggested = await visit.api.next_meeting(group_id)
        local = suggested.starts_at.astimezone(localtime.STOCKHOLM)
        values = {"dag": local.date().isoformat(), "tid": f"{local:%H:%M}", "plats": ""}
    return render(
        request,
        "meetings.html",
        {
            "group": group,
            "upcoming": upcoming,
            "held": held[:20],
            "f": values,
            "errors": errors or {},
        },
        status=status,
    )


@page(router, "/moten", name="all_meetings")
async def all_meetings_page(request: Request, visit: MeetingsVisit) -> Response:
    """The main menu's "Möten": the upcoming meetings of the groups the person reads as a
    member, or of every group for those who read them all without one."""
    mine = [m.group.id for m in visit.me.memberships if m.reads_as_member]
    groups = [g for g in await visit.api.groups() if not mine or g.id in mine]
    listed = [(g, await visit.api.meetings(g.id, upcoming=True)) for g in groups]
    return render(request, "meetings_all.html", {"listed": listed})


@page(router, "/grupper/{group_id}/moten", name="meetings")
async def meetings_page(request: Request, group_id: PageId, visit: VisitDep) -> Response:
    return await meetings_view(request, visit, group_id)


@router.post("/grupper/{group_id}/moten", response_class=HTMLResponse, name="create_meeting")
async def create_meeting_submit(
    request: Request,
    group_id: PageId,
    visit: VisitDep,
    dag: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    tid: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
    plats: Annotated[str, Form(max_length=MAX_FORM_FIELD)] = "",
) -> Response:
    values = {"dag": dag, "tid": tid, "plats": plats}
    day, time = fmt.parse_date(dag), fmt.parse_time(tid)
    errors: dict[str, str] = {}
    if day is None:
        errors["dag"] = "Skriv dagen som ÅÅÅÅ-MM-DD."
    if time is None:
        errors["tid"] = "Skriv tiden som TT:MM, till exempel 13:00."
    if day is not None and time is not None:
        # Local time, as the API reads a time without an offset: it refuses the hour
        # the clocks skip in spring instead of moving the meeting.
        starts = dt.datetime.combine(day, time).isoformat(timespec="minutes")
        meeting = await send(
            visit.api.create_meeting(
                group_id, {"starts_at": starts, "location": plats.strip() or None}
            ),
            forms.MEETING_FIELDS,
            refusals={422},
        )
        if not isinstance(meeting, Refused):
            return redirect(request, f"/moten/{meeting.id}")
        errors = meeting.errors
    return await meetings_view(request, visit, group_id, values=values, errors=errors, status=422)


@router.get("/grupper/{group_id}/moten.ics", name="meetings_ics")
async def meetings_ics(request: Request, group_id: PageId, visit: VisitDep) -> Response:
    body = await visit.api.meetings_calendar(group_id)
    response = Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="moten-{group_id}.ics"'},
    )
    return finish(request, response)


async def meeting_view(
    request: Request,
    visit: Visit,
    meeting_id: int,
    *,
    errors: dict[str, str] | None = None,
    minutes: str | None = None,
    attending: set[int] | None = None,
    present: set[int] | None = None,
    decision: dict[str, Any] | None = None,
    agenda: list[dict[str, Any]] | None = None,
    conflict: list[tuple[str, str]] | None = None,
    query: IncidentQuery | None = None,
    status: int = 200,
) -> Response:
    meeting, etag = await visit.api.meeting(meeting_id)
    if agenda is not None:
        # The agenda as typed, to correct what was refused (the assignments are not typed).
        meeting = meeting.model_copy(update={"agenda": forms.typed_agenda(agenda, meeting)})
    group = await visit.api.group(meeting.group.id)
    listed = await choices(visit)
    decided = (await visit.api.interventions(group=group.id, limit=100)).items
    members = await visit.api.memberships(group.id) if meeting.may_edit else []
    d = {"start": fmt.today_iso(), **(decision or {})}
    figures = await agenda_figures(visit, meeting)
    picking = (
        await observations(visit, figures, query or incident_query(), d) if meeting.may_edit else {}
    )
    return render(
        request,
        "meeting.html",
        {
            **listed,
            "meeting": meeting,
            "group": group,
            "etag": etag,
            "minutes": meeting.minutes if minutes is None else minutes,
            "attending": {o.id for o in meeting.organisations} if attending is None else attending,
            "present": {u.id for u in meeting.attendees} if present is None else present,
            "members": sorted(members, key=lambda m: m.user.name),
            "group_interventions": decided,
            "conflict": conflict,
            "errors": errors or {},
            "d": d,
            "types": swedish.INTERVENTION_TYPES,
            "figures": figures,
            "trends": swedish.TRENDS,
            **picking,
        },
        # The filtered list alone, for htmx filtering in place.
        block="valbara" if request.headers.get("hx-target") == "valbara" else "content",
        status=status,
    )


async def agenda_figures(visit: Visit, meeting: Any) -> Any:
    """The agenda's figures counted again now, for the same days: what the lägesbild of that
    period holds today, and its hot spots to pick (the lägesbild's own period for an agenda
    that does not say its days)."""
    first, last = forms.agenda_period(meeting.agenda)
    return await visit.api.group_figures(
        meeting.group.id,
        first_day=first.isoformat() if first else None,
        last_day=last.isoformat() if last else None,
    )


async def observations(
    visit: Visit, figures: Any, query: IncidentQuery, typed: dict[str, Any]
) -> dict[str, Any]:
    """What a decision's intervention may be linked to: the hot spots of the agenda's period
    and the observations the filter finds (by default those of the same period)."""
    if not query.kept:
        query = incident_query(
            fran=figures.period.first_day.isoformat(), till=figures.period.last_day.isoformat()
        )
    found: list[Any] = []
    filter_errors = dict(query.errors)
    more = False
    if not filter_errors:
        page_ = await send(
            visit.api.incidents(**query.api, limit=forms.PICK_LIMIT), {}, refusals={422}, other="q"
        )
        if isinstance(page_, Refused):
            filter_errors = page_.errors
        else:
            found, more = page_.items, page_.next is not None
    chosen: set[int] = typed.get("valda") or set()
    return {
        "pick": query.values,
        "pick_errors": filter_errors,
        "found": found,
        "found_more": more,
        "chosen": chosen,
        # Chosen before the filter changed: kept, ticked, at the top of the list.
        "chosen_elsewhere": sorted(chosen - {i.id for i in found}),
        "hot_chosen": set(typed.get("heta") or []),
    }


@page(router, "/moten/{meeting_id}", name="meeting")
async def meeting_page(
    request: Request, meeting_id: PageId, visit: VisitDep, query: IncidentQueryDep
) -> Response:
    # With htmx, the ticks already made come with the filter, to stay ticked.
    chosen = set(fmt.parse_ids(request.query_params.getlist("handelse"))[:500])
    return await meeting_view(request, visit, meeting_id, query=query, decision={"valda": chosen})


@page(router, "/moten/{meeting_id}/projektor", name="meeting_projector")
async def meeting_projector(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
    """The agenda on a projector: large type, high contrast, no menus."""
    meeting, _etag = await visit.api.meeting(meeting_id)
    figures = await agenda_figures(visit, meeting)
    return render(
        request,
        "meeting_projector.html",
        {
            "meeting": meeting,
            "figures": figures,
            "trends": swedish.TRENDS,
            # The list beside the map shows the same hot spots as the map.
            "spot_limit": charts.SHOWN_SPOTS,
            "map_svg": charts.hot_spot_map(
                await map_areas(visit, figures), figures.hot_spots, variant="projector"
            ),
        },
    )


@router.post("/moten/{meeting_id}", response_class=HTMLResponse, name="meeting_save")
async def meeting_save(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    minutes = str(form.get("protokoll", "")).replace("\r\n", "\n")[:20_000]
    organisations = fmt.parse_ids(form.getlist("aktorer"))[:100]
    people = fmt.parse_ids(form.getlist("narvarande"))[:100]
    etag = str(form.get("etag", ""))[:200]
    saved = await send(
        visit.api.update_meeting(
            meeting_id,
            {"minutes": minutes, "organisation_ids": organisations, "attendee_ids": people},
            etag=etag,
        ),
        forms.ATTENDANCE_FIELDS,
        refusals={409, 412, 422},
    )
    if not isinstance(saved, Refused):
        return redirect(request, f"/moten/{meeting_id}?sparat=protokoll#narvaro")
    conflict = None
    if saved.status == 412:
        # Someone saved first: what they wrote against this person's text.
        current, _etag = await visit.api.meeting(meeting_id)
        conflict = fmt.word_diff(current.minutes, minutes)
    return await meeting_view(
        request,
        visit,
        meeting_id,
        # What was refused for no field of the form is about the minutes.
        errors=saved.errors if saved.status == 422 else {"protokoll": saved.problem.detail},
        minutes=minutes,
        attending=set(organisations),
        present=set(people),
        conflict=conflict,
        status=409 if saved.status == 412 else saved.status,
    )


@router.post("/moten/{meeting_id}/dagordning", response_class=HTMLResponse, name="meeting_agenda")
async def meeting_agenda(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    etag = str(form.get("etag", ""))[:200]
    if form.get("atgard") == "bygg-om":
        body: dict[str, Any] = {"rebuild_agenda": True}
        refusals = {412}
    else:
        body = {"agenda": forms.agenda_of(form)}
        refusals = {412, 422}
    sent = await send(
        visit.api.update_meeting(meeting_id, body, etag=etag), {}, refusals=refusals, other="punkt"
    )
    if isinstance(sent, Refused):
        return await meeting_view(
            request,
            visit,
            meeting_id,
            errors=sent.errors,
            agenda=body.get("agenda") if sent.status == 422 else None,
            status=409 if sent.status == 412 else sent.status,
        )
    return redirect(request, f"/moten/{meeting_id}?sparat=dagordning#dagordning")


@router.post("/moten/{meeting_id}/installt", response_class=HTMLResponse, name="meeting_cancel")
async def meeting_cancel(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
    form = await request.form()
    cancel = form.get("installt") == "ja"
    sent = await send(
        visit.api.update_meeting(
            meeting_id, {"cancelled": cancel}, etag=str(form.get("etag", ""))[:200]
        ),
        {},
        refusals={412},
        other="installt",
    )
    if isinstance(sent, Refused):
        return await meeting_view(request, visit, meeting_id, errors=sent.errors, status=409)
    return redirect(request, f"/moten/{meeting_id}?sparat=installt#installt")


@router.post("/moten/{meeting_id}/beslut", response_class=HTMLResponse, name="meeting_decision")
async def meeting_decision(request: Request, meeting_id: PageId, visit: VisitDep) -> Response:
    typed, body, errors = forms.decision_of(await request.form())
    if not errors:
        sent = await send(
            visit.api.add_decision(meeting_id, body), forms.DECISION_FIELDS, refusals={403, 422}
        )
        if not isinstance(sent, Refused):
            # Back at the decision just saved, which says so.
            return redirect(
                request, f"/moten/{meeting_id}?sparat=beslut-{sent.id}#beslut-{sent.id}"
            )
        errors = sent.errors
    return await meeting_view(request, visit, meeting_id, errors=errors, decision=typed, status=422)
