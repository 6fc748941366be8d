"""What a walk found: filed from a phone on the walk by its planners and the invited
organisations' reporters (policy.can_file_finding), each with the organisation that fixes it,
whose status that organisation keeps (policy.can_update_finding); photos of it; and the
proposed intervention it may become in the walk's group."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from api.incidents.schemas import InterventionStatus
from api.interventions import schemas as intervention_schemas
from api.interventions import service as intervention_service
from api.interventions.models import Intervention
from api.localtime import utcnow
from api.pagination import PageResult, paginate
from api.photos import service as photos
from api.photos.models import Photo
from api.photos.schemas import PhotoAdded, PhotoOwner, PhotoRead
from api.routing import location
from api.safetywalks import schemas as s
from api.safetywalks import walks
from api.safetywalks.models import Finding, SafetyWalk, WalkInput
from api.schemas_common import ListQuery, Ref
from api.settings import Settings
from api.structure import service as structure_service
from api.structure.models import Organisation, Place
from api.swedish import FINDING_KINDS

NONE_SUCH = "inget fynd"
OWNER = PhotoOwner.finding
# A finding at a point becomes an intervention on a circle this wide around it.
POINT_RADIUS_M = 50
Types = intervention_schemas.InterventionType
# An intervention's type and categories from a finding's kind.
FROM_KIND: dict[s.FindingKind, tuple[Types, list[str]]] = {
    s.FindingKind.lighting: (Types.lighting, ["plats.belysning"]),
    s.FindingKind.vegetation: (Types.clearing, ["plats.sikt"]),
    s.FindingKind.vandalism: (Types.graffiti_removal, ["skadegorelse"]),
    s.FindingKind.litter: (Types.physical, ["plats.nedskrapning"]),
    s.FindingKind.path: (Types.physical, ["plats"]),
    s.FindingKind.signage: (Types.physical, ["plats"]),
    s.FindingKind.other: (Types.physical, ["plats"]),
}


def photo_url(finding: Finding, photo_id: int) -> str:
    return location(f"/safety-walks/{finding.walk_id}/findings/{finding.id}/photos/{photo_id}")


def photo_read(finding: Finding, photo: Photo) -> PhotoRead:
    return PhotoRead(
        id=photo.id,
        width=photo.width,
        height=photo.height,
        size_bytes=photo.size_bytes,
        created_at=photo.created_at,
        url=photo_url(finding, photo.id),
    )


def may_update(actor: Actor, walk: SafetyWalk, finding: Finding) -> bool:
    return policy.can_update_finding(
        actor, area_id=walk.area_id, responsible_organisation_id=finding.responsible_organisation_id
    )


def read_many(
    session: Session, walk: SafetyWalk, findings: Sequence[Finding], *, actor: Actor
) -> list[s.FindingRead]:
    held = photos.for_owners(session, OWNER, [f.id for f in findings])
    proposed = {
        i.id: i.title
        for i in session.scalars(
            select(Intervention).where(
                Intervention.id.in_([f.intervention_id for f in findings if f.intervention_id])
            )
        )
    }
    return [
        s.FindingRead(
            id=f.id,
            walk_id=f.walk_id,
            kind=f.kind,
            description=f.description,
            place=Ref(id=f.place.id, name=f.place.name) if f.place else None,
            lat=f.lat,
            lon=f.lon,
            input_id=f.input_id,
            responsible_organisation=Ref(
                id=f.responsible_organisation.id, name=f.responsible_organisation.name
            ),
            responsible_office=f.responsible_office,
            status=f.status,
            status_note=f.status_note,
            status_changed_at=f.status_changed_at,
            intervention=Ref(id=f.intervention_id, name=proposed[f.intervention_id])
            if f.intervention_id in proposed
            else None,
            photos=[photo_read(f, p) for p in held[f.id]],
            created_at=f.created_at,
            may_update=may_update(actor, walk, f),
        )
        for f in findings
    ]


def read(session: Session, walk: SafetyWalk, finding: Finding, *, actor: Actor) -> s.FindingRead:
    return read_many(session, walk, [finding], actor=actor)[0]


def of_walk(session: Session, walk_id: int) -> list[Finding]:
    return list(
        session.scalars(select(Finding).where(Finding.walk_id == walk_id).order_by(Finding.id))
    )


def list_findings(
    session: Session, walk_id: int, query: ListQuery, *, actor: Actor
) -> tuple[SafetyWalk, PageResult[Finding]]:
    walk = walks.walk_for(session, walk_id, actor)
    stmt = select(Finding).where(Finding.walk_id == walk.id)
    return walk, paginate(session, stmt, Finding.id, query)


def finding_for(
    session: Session, walk_id: int, finding_id: int, actor: Actor
) -> tuple[SafetyWalk, Finding]:
    walk = walks.walk_for(session, walk_id, actor)
    finding = session.get(Finding, finding_id)
    if finding is None or finding.walk_id != walk.id:
        raise NotFound(f"Det finns {NONE_SUCH} med id {finding_id} här.")
    return walk, finding


def _checked(
    session: Session,
    walk: SafetyWalk,
    *,
    place_id: int | None,
    lat: float | None,
    lon: float | None,
    organisation_id: int | None,
    input_id: int | None,
) -> None:
    errors: list[FieldError] = []
    refused = walks.point_refusal(session, walk.municipality_id, lat, lon)
    if refused:
        errors.append(FieldError("lat", refused, "invalid_point"))
    if not walks.place_of_area(session, place_id, walk.area_id):
        errors.append(
            FieldError("place_id", "Platsen finns inte i vandringens område.", "unknown_id")
        )
    if organisation_id is not None:
        organisation = session.get(Organisation, organisation_id)
        if (
            organisation is None
            or not organisation.active
            or organisation.municipality_id != walk.municipality_id
            or organisation.residents  # no partner (#20: accepted tips')
        ):
            errors.append(
                FieldError(
                    "responsible_organisation_id",
                    "Det finns ingen sådan aktiv organisation.",
                    "unknown_id",
                )
            )
    if input_id is not None:
        pin = session.get(WalkInput, input_id)
        if pin is None or pin.walk_id != walk.id:
            errors.append(
                FieldError("input_id", "Synpunkten hör inte till vandringen.", "unknown_id")
            )
    if errors:
        raise Invalid(errors[0].message, errors=errors)


def create_finding(
    session: Session, walk_id: int, body: s.FindingCreate, *, actor: Actor
) -> tuple[SafetyWalk, Finding]:
    walk = walks.walk_for(session, walk_id, actor)
    if not policy.can_file_finding(actor, area_id=walk.area_id, invited=walks.invited_ids(walk)):
        raise Forbidden(
            "Bara de som planerar vandringen och de inbjudna organisationernas rapportörer "
            "registrerar fynd."
        )
    _checked(
        session,
        walk,
        place_id=body.place_id,
        lat=body.lat,
        lon=body.lon,
        organisation_id=body.responsible_organisation_id,
        input_id=body.input_id,
    )
    finding = Finding(
        walk_id=walk.id,
        kind=body.kind,
        description=body.description,
        place_id=body.place_id,
        lat=body.lat,
        lon=body.lon,
        input_id=body.input_id,
        responsible_organisation_id=body.responsible_organisation_id,
        responsible_office=body.responsible_office,
        created_by_id=actor.user_id,
        extra={},
    )
    session.add(finding)
    session.flush()
    return walk, finding


def update_finding(
    session: Session, walk_id: int, finding_id: int, body: s.FindingUpdate, *, actor: Actor
) -> tuple[SafetyWalk, Finding]:
    """Its status and note: the walk's planners and the organisation that fixes it. What it
    is, where and whose: the walk's planners and the one who filed it."""
    walk, finding = finding_for(session, walk_id, finding_id, actor)
    changes = body.model_dump(exclude_unset=True)
    describes = set(changes) - {"status", "status_note"}
    if describes and not (
        policy.can_plan_safety_walk(actor, area_id=walk.area_id)
        or (actor.user_id is not None and finding.created_by_id == actor.user_id)
    ):
        raise Forbidden(
            "Bara de som planerar vandringen och den som registrerade fyndet ändrar det."
        )
    if {"status", "status_note"} & set(changes) and not may_update(actor, walk, finding):
        raise Forbidden(
            "Bara de som planerar vandringen och den ansvariga organisationen ändrar fyndets "
            "status."
        )
    for field in ("kind", "description", "responsible_organisation_id"):
        if field in changes and changes[field] is None:
            raise Invalid.field(field, "Får inte vara tomt.", "empty")
    _checked(
        session,
        walk,
        place_id=changes.get("place_id"),
        lat=changes.get("lat", finding.lat) if {"lat", "lon"} & set(changes) else None,
        lon=changes.get("lon", finding.lon) if {"lat", "lon"} & set(changes) else None,
        organisation_id=changes.get("responsible_organisation_id"),
        input_id=None,
    )
    for field in (
        "kind",
        "description",
        "place_id",
        "lat",
        "lon",
        "responsible_organisation_id",
        "responsible_office",
        "status_note",
    ):
        if field in changes:
            setattr(finding, field, changes[field])
    if changes.get("status") is not None and changes["status"] != finding.status:
        finding.status = changes["status"]
        finding.status_changed_at = utcnow()
    if changes:
        finding.updated_at = utcnow()
    session.flush()
    session.refresh(finding)
    return walk, finding


# Photos ---------------------------------------------------------------------------------------


def add_photo(
    session: Session,
    walk_id: int,
    finding_id: int,
    data: bytes,
    *,
    use_position: bool,
    actor: Actor,
    settings: Settings,
) -> PhotoAdded:
    """A photo of the finding (its EXIF gone); with ``use_position``, a finding without a
    place or point takes the photo's position, if it lies in the municipality."""
    walk, finding = finding_for(session, walk_id, finding_id, actor)
    if not (
        policy.can_file_finding(actor, area_id=walk.area_id, invited=walks.invited_ids(walk))
        or may_update(actor, walk, finding)
    ):
        raise Forbidden("Bara de som registrerar fynd på vandringen lägger till bilder.")
    photo, offered = photos.add(
        session,
        data,
        owner=OWNER,
        owner_id=finding.id,
        municipality_id=walk.municipality_id,
        user_id=actor.user_id,
        settings=settings,
    )
    if (
        use_position
        and offered is not None
        and finding.lat is None
        and finding.place_id is None
        and walks.point_refusal(session, walk.municipality_id, offered.lat, offered.lon) is None
    ):
        finding.lat, finding.lon = offered.lat, offered.lon
        finding.updated_at = utcnow()
        session.flush()
    return PhotoAdded(**photo_read(finding, photo).model_dump(), offered_point=offered)


def list_photos(
    session: Session, walk_id: int, finding_id: int, *, actor: Actor
) -> list[PhotoRead]:
    _, finding = finding_for(session, walk_id, finding_id, actor)
    return [photo_read(finding, p) for p in photos.for_owner(session, OWNER, finding.id)]


def get_photo(
    session: Session, walk_id: int, finding_id: int, photo_id: int, *, actor: Actor
) -> Photo:
    _, finding = finding_for(session, walk_id, finding_id, actor)
    return photos.get(session, OWNER, finding.id, photo_id)


# The proposed intervention --------------------------------------------------------------------


def _target(walk: SafetyWalk, finding: Finding) -> intervention_schemas.Target:
    kinds = intervention_schemas.TargetKind
    if finding.place_id is not None:
        return intervention_schemas.Target(kind=kinds.place, place_id=finding.place_id)
    if finding.lat is not None and finding.lon is not None:
        return intervention_schemas.Target(
            kind=kinds.point,
            area_id=walk.area_id,
            lat=finding.lat,
            lon=finding.lon,
            radius_m=POINT_RADIUS_M,
        )
    return intervention_schemas.Target(kind=kinds.area, area_id=walk.area_id)


def default_title(session: Session, walk: SafetyWalk, finding: Finding) -> str:
    """ "Belysning: Bro centrum": the kind and where."""
    place = session.get(Place, finding.place_id) if finding.place_id else None
    where = place.name if place else walk.area.name
    return f"{FINDING_KINDS.get(finding.kind.value, finding.kind.value)}: {where}"[:200]


def propose_intervention(
    session: Session,
    walk_id: int,
    finding_id: int,
    body: s.ProposeIntervention,
    *,
    actor: Actor,
) -> tuple[SafetyWalk, Finding]:
    """The finding as a proposed intervention of the walk's group (api.interventions), owned
    by the responsible organisation; once only (409)."""
    walk, finding = finding_for(session, walk_id, finding_id, actor)
    policy.require_plan_safety_walk(actor, area_id=walk.area_id)
    make_proposal(session, walk, finding, title=body.title, actor=actor)
    return walk, finding


def make_proposal(
    session: Session, walk: SafetyWalk, finding: Finding, *, title: str | None, actor: Actor
) -> Intervention:
    """The proposed intervention of ``finding``, whoever may propose it (checked by the
    caller: the route, or the demo's seed)."""
    # Locked: proposed twice at once, the second finds the first's (PostgreSQL).
    session.execute(select(Finding.id).where(Finding.id == finding.id).with_for_update())
    session.refresh(finding)
    if finding.intervention_id is not None:
        raise Conflict("Fyndet har redan blivit ett förslag till insats.", code="already_proposed")
    if walk.group_id is None:
        raise Conflict("Vandringen har ingen grupp som beslutar om insatser.", code="no_group")
    kind, categories = FROM_KIND[finding.kind]
    today: dt.date = structure_service.municipality_today(session, walk.municipality_id)
    fields = intervention_schemas.InterventionFields(
        title=title or default_title(session, walk, finding),
        type=kind,
        description=finding.description,
        owner_organisation_id=finding.responsible_organisation_id,
        responsible=finding.responsible_office,
        target=_target(walk, finding),
        categories=categories,
        planned_start=today,
        status=InterventionStatus.proposed,
    )
    try:
        intervention = intervention_service.create_intervention(
            session, fields, group_id=walk.group_id, actor=actor, proposal=True
        )
    except Invalid as refused:
        if not any(e.field.startswith("target") for e in refused.errors):
            raise
        # A point the areas' rules place in another area: the walk's area is the target.
        fields.target = intervention_schemas.Target(
            kind=intervention_schemas.TargetKind.area, area_id=walk.area_id
        )
        intervention = intervention_service.create_intervention(
            session, fields, group_id=walk.group_id, actor=actor, proposal=True
        )
    finding.intervention_id = intervention.id
    finding.updated_at = utcnow()
    session.flush()
    return intervention


def from_walk(session: Session, intervention_id: int) -> intervention_schemas.FromWalk | None:
    """The walk and the finding an intervention was proposed from (the interventions' read,
    through its slot), or None."""
    found = session.execute(
        select(Finding.id, SafetyWalk)
        .join(SafetyWalk, SafetyWalk.id == Finding.walk_id)
        .where(Finding.intervention_id == intervention_id)
        .limit(1)
    ).first()
    if found is None:
        return None
    finding_id, walk = found
    return intervention_schemas.FromWalk(
        walk_id=walk.id,
        walk=walk.title or f"Trygghetsvandringen i {walk.area.name}",
        starts_at=walk.starts_at,
        finding_id=finding_id,
    )
