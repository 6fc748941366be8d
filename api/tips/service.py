"""Residents' tips: the public form and its sending (anonymous, guarded against abuse and
personal data), the receipt that lets the sender add photos for a while, and the
coordination group's moderation: an accepted tip becomes an observation with source
``allmänheten``, filed for the organisation "Allmänheten" (a tip is no partner's report)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.audit import service as audit
from api.errors import Conflict, FieldError, Hidden, Invalid, NotFound
from api.incidents import areas
from api.incidents import service as incidents
from api.incidents.models import Incident, Report
from api.incidents.schemas import IncidentCreate, Precision, Wgs84Point
from api.localtime import utcnow
from api.pagination import PageResult, paginate
from api.photos import service as photos
from api.photos.models import Photo
from api.photos.schemas import PhotoOwner, PhotoRead, PhotoSize
from api.records import not_found_message
from api.routing import location
from api.schemas_common import stored_text
from api.settings import Settings
from api.structure import public
from api.structure.models import Area, Municipality, Organisation, Place
from api.structure.schemas import OrganisationKind
from api.swedish import TIP_WHATS
from api.tips import abuse, schemas
from api.tips.models import Tip
from api.tips.schemas import MAX_PHOTOS, OLDEST_DAYS, PUBLIC_SOURCE, RECEIPT_MINUTES, Moderation

# The organisation an accepted tip's observation is filed for, one per municipality.
PUBLIC_ORGANISATION = "Allmänheten"
# The category the moderation form starts from, for what the resident said it was about.
SUGGESTED = {
    schemas.TipWhat.unsafe_place: "plats",
    schemas.TipWhat.vandalism: "skadegorelse",
    schemas.TipWhat.gathering: "samling.utomhus",
    schemas.TipWhat.drugs: "ordning.narkotika",
    schemas.TipWhat.traffic: "trafik.olovlig_korning",
    schemas.TipWhat.fire: "skadegorelse.brand",
    schemas.TipWhat.other: "ovrigt",
}
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
NO_TIP = "inget tips"


# The public form ------------------------------------------------------------------------


def _town_of(session: Session, tip: Tip) -> Municipality:
    town = session.get(Municipality, tip.municipality_id)
    assert town is not None  # a tip's municipality is never deleted
    return town


def tip_form(
    session: Session, settings: Settings, municipality_id: int | None = None
) -> schemas.TipForm:
    place = public.addressed(session, municipality_id)
    area_rows = list(
        session.scalars(
            select(Area)
            .where(Area.municipality_id == place.id, Area.active.is_(True))
            .order_by(Area.name)
        )
    )
    names = {a.id: a.name for a in area_rows}
    place_rows = session.scalars(
        select(Place).where(Place.area_id.in_(names), Place.active.is_(True)).order_by(Place.name)
    )
    return schemas.TipForm(
        municipality_id=place.id,
        municipality=place.name,
        extent=place.bounds,
        areas=[
            schemas.TipFormArea(id=a.id, name=a.name, boundary=a.boundary or None)
            for a in area_rows
        ],
        places=[
            schemas.TipFormPlace(
                id=p.id, name=p.name, area_id=p.area_id, area=names[p.area_id], lat=p.lat, lon=p.lon
            )
            for p in place_rows
        ],
        whats=[schemas.TipChoice(value=schemas.TipWhat(k), label=v) for k, v in TIP_WHATS.items()],
        form_token=abuse.form_token(settings),
        limits=schemas.TipLimits(
            photo_max_bytes=settings.photo_max_bytes,
            min_fill_seconds=settings.public_min_fill_seconds,
            posts_per_hour=settings.public_posts_per_hour,
        ),
    )


# Sending --------------------------------------------------------------------------------


def _when(value: dt.datetime | None, errors: list[FieldError]) -> None:
    if value is None:
        return
    now = utcnow()
    if value > now + FUTURE_TOLERANCE:
        errors.append(FieldError("occurred_at", "Tiden ligger i framtiden.", "in_future"))
    elif value < now - dt.timedelta(days=OLDEST_DAYS):
        errors.append(
            FieldError(
                "occurred_at",
                f"Tips tas emot om sådant som hänt de senaste {OLDEST_DAYS} dagarna.",
                "too_old",
            )
        )


def _placed(
    session: Session,
    town: Municipality,
    place_id: int | None,
    lat: float | None,
    lon: float | None,
    errors: list[FieldError],
) -> tuple[Area | None, Place | None, float | None, float | None]:
    """The tip's area, place and point, as the incidents' rules place them (api.incidents
    .areas). A point inside the municipality in no area is kept without an area: the
    moderator decides."""
    if (lat is None) != (lon is None):
        errors.append(FieldError("lat", "Ange både latitud och longitud.", "required"))
        lat = lon = None
    refused = None if lat is None or lon is None else areas.refusal(session, town, lat, lon)
    if refused is not None:
        errors.append(FieldError("lat", refused.message, "outside_municipality"))
        return None, None, None, None
    found: list[FieldError] = []
    where = areas.where(
        session,
        # Only its place and area are read: the category and time come at moderation.
        IncidentCreate.model_construct(place_id=place_id, area_id=None),  # type: ignore[call-arg]
        town,
        lat,
        lon,
        lambda field, message, code: found.append(FieldError(field, message, code)),
    )
    if place_id is None and lat is None:
        return None, None, None, None
    # A place that is not the municipality's, or a place and a point in different areas, is
    # the resident's to correct (one coherent answer); a point in no area the moderator
    # sorts out.
    errors.extend(e for e in found if e.field == "place_id")
    errors.extend(
        FieldError("place_id", f"{e.message} Välj en plats eller ta bort punkten.", e.code)
        for e in found
        if e.code == "mismatch"
    )
    return where.area, where.place, lat, lon


def create_public(
    session: Session, data: schemas.TipCreate, *, actor: Actor, settings: Settings
) -> tuple[Tip, str]:
    """A resident's tip, and the receipt for its photos. Refused as abuse before anything
    else is looked at; then every field's problem at once."""
    abuse.check(
        session,
        kind="tip",
        actor=actor,
        settings=settings,
        token=data.form_token,
        honeypot=data.website,
    )
    town = public.addressed(session, data.municipality_id)
    errors: list[FieldError] = []
    _when(data.occurred_at, errors)
    area, place, lat, lon = _placed(session, town, data.place_id, data.lat, data.lon, errors)
    if errors:
        raise Invalid(
            "Tipset skickades inte: rätta det som är markerat och skicka igen.", errors=errors
        )
    tip = Tip(
        municipality_id=town.id,
        what=data.what.value,
        description=data.description,
        occurred_at=data.occurred_at,
        area_id=area.id if area else None,
        place_id=place.id if place else None,
        lat=lat,
        lon=lon,
    )
    session.add(tip)
    session.flush()
    return tip, receipt_for(settings, tip.id)


def _receipt_mac(settings: Settings, tip_id: int, issued: int) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, f"tip-receipt:{tip_id}:{issued}".encode(), hashlib.sha256).hexdigest()


def receipt_for(settings: Settings, tip_id: int, *, now: float | None = None) -> str:
    """A signed receipt (no column: the tip id and the time, with the installation's key),
    good for adding photos to that tip for RECEIPT_MINUTES."""
    issued = int(now if now is not None else time.time())
    return f"{tip_id}.{issued}.{_receipt_mac(settings, tip_id, issued)[:40]}"


def tip_of_receipt(session: Session, settings: Settings, receipt: str) -> Tip:
    gone = NotFound(
        "Kvittot gäller inte längre. Bilder kan läggas till en kort stund efter att tipset "
        "skickats; skicka gärna ett nytt tips med bilden."
    )
    parts = receipt.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise gone
    tip_id, issued = int(parts[0]), int(parts[1])
    fresh = 0 <= time.time() - issued <= RECEIPT_MINUTES * 60
    if not fresh or not hmac.compare_digest(parts[2], _receipt_mac(settings, tip_id, issued)[:40]):
        raise gone
    tip = session.get(Tip, tip_id)
    if tip is None or tip.status is not Moderation.pending:
        raise gone
    return tip


def photo_url(receipt: str) -> str:
    return location(f"/public/tips/{receipt}/photos")


def add_public_photo(
    session: Session,
    receipt: str,
    data: bytes,
    *,
    use_position: bool,
    actor: Actor,
    settings: Settings,
) -> schemas.TipPhotoReceipt:
    """A photo of the tip just sent. With the sender's consent, a tip without a point takes
    the photo's EXIF position (inside the municipality); the photo keeps no EXIF."""
    tip = tip_of_receipt(session, settings, receipt)
    held = len(photos.for_owner(session, PhotoOwner.tip, tip.id))
    if held >= MAX_PHOTOS:
        raise Invalid.field("file", f"Högst {MAX_PHOTOS} bilder per tips.", "too_many_photos")
    # No count against the address's hourly limit: the receipt (one tip's, for an hour, at
    # most MAX_PHOTOS) already limits them, and the tip itself was counted.
    _photo, offered = photos.add(
        session,
        data,
        owner=PhotoOwner.tip,
        owner_id=tip.id,
        municipality_id=tip.municipality_id,
        user_id=None,
        settings=settings,
    )
    used = False
    if use_position and offered is not None and tip.lat is None and tip.place_id is None:
        town = _town_of(session, tip)
        ignored: list[FieldError] = []
        area, _place, lat, lon = _placed(session, town, None, offered.lat, offered.lon, ignored)
        if lat is not None and not ignored:
            tip.lat, tip.lon, tip.area_id = lat, lon, area.id if area else None
            used = True
    session.flush()
    message = "Tack! Bilden är sparad."
    if used:
        message += " Bildens position används som plats för tipset."
    elif use_position and offered is None:
        message += " Bilden hade ingen position."
    return schemas.TipPhotoReceipt(photos=held + 1, position_used=used, message=message)


# Moderation -----------------------------------------------------------------------------


def list_tips(session: Session, query: schemas.TipFilter, *, actor: Actor) -> PageResult[Tip]:
    policy.require_moderate_tips(actor)
    stmt = select(Tip).where(Tip.status == query.status)
    # The queue oldest first (waited longest); what was decided, the latest first.
    return paginate(session, stmt, Tip.id, query, descending=query.status is not Moderation.pending)


def get_tip(session: Session, tip_id: int, *, actor: Actor) -> Tip:
    policy.require_moderate_tips(actor)
    tip = session.get(Tip, tip_id)
    if tip is None:
        raise Hidden(not_found_message(NO_TIP, tip_id))
    return tip


def _photo_read(tip_id: int, photo: Photo) -> PhotoRead:
    return PhotoRead(
        id=photo.id,
        width=photo.width,
        height=photo.height,
        size_bytes=photo.size_bytes,
        created_at=photo.created_at,
        url=location(f"/tips/{tip_id}/photos/{photo.id}"),
    )


def read(tip: Tip, held: list[Photo]) -> schemas.TipRead:
    with stored_text():
        read_ = schemas.TipRead.model_validate(tip)
    read_.photos = [_photo_read(tip.id, p) for p in held]
    read_.suggested_category = SUGGESTED.get(schemas.TipWhat(tip.what))
    return read_


def read_many(session: Session, tips: Sequence[Tip]) -> list[schemas.TipRead]:
    held = photos.for_owners(session, PhotoOwner.tip, [t.id for t in tips])
    return [read(t, held[t.id]) for t in tips]


def read_one(session: Session, tip: Tip) -> schemas.TipRead:
    return read(tip, photos.for_owner(session, PhotoOwner.tip, tip.id))


def tip_photos(session: Session, tip_id: int, *, actor: Actor) -> list[PhotoRead]:
    tip = get_tip(session, tip_id, actor=actor)
    return [_photo_read(tip.id, p) for p in photos.for_owner(session, PhotoOwner.tip, tip.id)]


def tip_photo(
    session: Session,
    tip_id: int,
    photo_id: int,
    size: PhotoSize,
    *,
    actor: Actor,
    settings: Settings,
) -> bytes:
    tip = get_tip(session, tip_id, actor=actor)
    return photos.content(photos.get(session, PhotoOwner.tip, tip.id, photo_id), size, settings)


def _decide(session: Session, tip: Tip, status: Moderation, actor: Actor, **values: Any) -> None:
    """Claims the pending tip for one decision: a second moderator's, at the same moment or
    later, is refused (one UPDATE that only a pending tip passes)."""
    claimed = session.execute(
        update(Tip)
        .where(Tip.id == tip.id, Tip.status == Moderation.pending)
        .values(status=status, moderated_at=utcnow(), moderated_by_id=actor.user_id, **values)
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        raise Conflict("Tipset är redan granskat.", code="already_moderated")
    session.refresh(tip)


def public_organisation(session: Session, municipality_id: int) -> Organisation:
    """The organisation residents' observations are filed for: made when first needed."""
    found = session.scalar(
        select(Organisation).where(
            Organisation.municipality_id == municipality_id, Organisation.residents.is_(True)
        )
    )
    if found is None:
        # Marked: no partner, so no list to choose partners from offers it and no choice of
        # a partner takes it (api.resources.reference and the lists' filters).
        found = Organisation(
            municipality_id=municipality_id,
            name=PUBLIC_ORGANISATION,
            kind=OrganisationKind.other,
            residents=True,
        )
        session.add(found)
        session.flush()
    return found


def accept(
    session: Session, tip_id: int, data: schemas.TipAccept, *, actor: Actor
) -> tuple[Tip, Incident]:
    tip = get_tip(session, tip_id, actor=actor)
    if tip.status is not Moderation.pending:
        raise Conflict("Tipset är redan granskat.", code="already_moderated")
    return tip, make_observation(session, tip, data, actor=actor)


def make_observation(
    session: Session, tip: Tip, data: schemas.TipAccept, *, actor: Actor
) -> Incident:
    """The observation an accepted tip becomes (whoever may moderate has been checked)."""
    town = _town_of(session, tip)
    corrected = data.area_id is not None or data.place_id is not None
    place_id = data.place_id if data.place_id is not None else tip.place_id
    area_id = data.area_id if data.area_id is not None else (None if place_id else tip.area_id)
    # A corrected area or place stands over the resident's tap, which is then left out.
    point = None
    if not corrected and tip.lat is not None and tip.lon is not None:
        point = Wgs84Point(lat=tip.lat, lon=tip.lon)
    if tip.occurred_at is not None:
        start, precision = tip.occurred_at, Precision.exact
    else:
        start, precision = tip.received_at, Precision.day
    with stored_text():
        item = IncidentCreate(
            category=data.category,
            occurred_from=start,
            precision=precision,
            area_id=area_id,
            place_id=place_id,
            position=point,
            assessment=data.assessment,
            description=data.description or tip.description,
        )
    values = incidents.incident_values(session, item, town, "")
    _decide(session, tip, Moderation.accepted, actor)
    organisation = public_organisation(session, town.id)
    report = Report(organisation_id=organisation.id, reporter_id=None, source=PUBLIC_SOURCE)
    session.add(report)
    session.flush()
    incident = Incident(
        **values,
        report_id=report.id,
        municipality_id=town.id,
        organisation_id=organisation.id,
        source=PUBLIC_SOURCE,
    )
    session.add(incident)
    session.flush()
    tip.incident_id = incident.id
    photos.move(session, PhotoOwner.tip, tip.id, PhotoOwner.incident, incident.id)
    session.flush()
    return incident


def reject(session: Session, tip_id: int, data: schemas.TipReject, *, actor: Actor) -> Tip:
    tip = get_tip(session, tip_id, actor=actor)
    _decide(session, tip, Moderation.rejected, actor, reject_reason=data.reason or None)
    return tip


def record_list_read(session: Session, query: schemas.TipFilter, rows: int) -> None:
    # A read of many records, with its filter and how many, as other lists log it.
    audit.record_read(
        session,
        object_type="tips",
        asked={"status": query.status, "cursor": query.cursor},
        rows=rows,
    )
