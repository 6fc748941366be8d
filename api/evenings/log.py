"""An evening's live log: short posts by those on shift, in place of the chat group, read by
everyone who reads the evening (api.evenings.access), and turned into observations with one
tap. New posts reach open streams through api.evenings.stream."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.categories.models import Category
from api.errors import FieldError, Invalid, NotFound
from api.evenings import schemas, stream
from api.evenings.access import evening_for, is_on_shift, log_open, require_log_open
from api.evenings.models import Evening, LogPost
from api.incidents import areas, geo
from api.incidents import schemas as incident_schemas
from api.incidents import service as incident_service
from api.incidents.models import Incident, Report
from api.resources import reference
from api.schemas_common import Ref
from api.structure.models import Municipality, Organisation, Place
from api.structure.service import PLACES

# Reading ---------------------------------------------------------------------------------------


def read_log(
    session: Session,
    evening_id: int,
    *,
    actor: Actor,
    after: int | None = None,
    limit: int = schemas.MAX_POSTS,
) -> schemas.LogRead:
    """The posts, oldest first (``after``: only those after that post), and what the caller
    may do in the log."""
    evening = evening_for(session, evening_id, actor)
    posts = posts_after(session, evening.id, after, limit=limit)
    return schemas.LogRead(
        evening_id=evening.id,
        kind=schemas.EveningKind(evening.kind),
        title=evening.title,
        area=Ref(id=evening.area.id, name=evening.area.name) if evening.area else None,
        starts_at=evening.starts_at,
        ends_at=evening.ends_at,
        open=log_open(evening),
        may_post=may_post(session, evening, actor),
        items=read_posts(session, posts, reader=actor.user_id),
    )


def may_post(session: Session, evening: Evening, actor: Actor) -> bool:
    shift = is_on_shift(session, evening.id, actor)
    return policy.can_post_in_log(actor, area_id=evening.area_id, shift=shift)


def posts_after(
    session: Session, evening_id: int, after: int | None, *, limit: int = schemas.MAX_POSTS
) -> list[LogPost]:
    stmt = select(LogPost).where(LogPost.evening_id == evening_id)
    if after is not None:
        stmt = stmt.where(LogPost.id > after)
    return list(session.scalars(stmt.order_by(LogPost.id).limit(limit)))


def last_post_id(session: Session, evening_id: int) -> int:
    found = session.scalar(select(func.max(LogPost.id)).where(LogPost.evening_id == evening_id))
    return int(found or 0)


def _names(session: Session, model: Any, key: Any, label: Any, ids: set[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    return {ident: name for ident, name in session.execute(select(key, label).where(key.in_(ids)))}


def read_posts(
    session: Session, posts: Sequence[LogPost], *, reader: int | None = None
) -> list[schemas.LogPostRead]:
    """The posts as ``reader`` (a user's id) reads them, with the names of their
    organisation, place and category (looked up once for all of them)."""
    organisations = _names(
        session,
        Organisation,
        Organisation.id,
        Organisation.name,
        {p.organisation_id for p in posts if p.organisation_id is not None},
    )
    places = _names(
        session, Place, Place.id, Place.name, {p.place_id for p in posts if p.place_id is not None}
    )
    categories = _names(
        session,
        Category,
        Category.code,
        Category.label_sv,
        {p.category for p in posts if p.category is not None},
    )
    return [
        schemas.LogPostRead(
            id=post.id,
            evening_id=post.evening_id,
            text=post.text,
            created_at=post.created_at,
            organisation=_ref(post.organisation_id, organisations),
            place=_ref(post.place_id, places),
            lat=post.lat,
            lon=post.lon,
            category=incident_schemas.CategoryRef(
                code=post.category, label_sv=categories[post.category]
            )
            if post.category is not None and post.category in categories
            else None,
            incident_id=post.incident_id,
            own=reader is not None and post.author_id == reader,
        )
        for post in posts
    ]


def _ref(ident: int | None, names: dict[Any, str]) -> Ref | None:
    return Ref(id=ident, name=names[ident]) if ident is not None and ident in names else None


# Posting ---------------------------------------------------------------------------------------


def create_post(
    session: Session, evening_id: int, data: schemas.LogPostCreate, *, actor: Actor
) -> LogPost:
    evening = evening_for(session, evening_id, actor, to="post")
    require_log_open(evening)
    municipality = session.get(Municipality, evening.municipality_id)
    assert municipality is not None
    errors: list[FieldError] = []
    place_id = None
    if data.place_id is not None:
        try:
            place = reference(session, PLACES, data.place_id, field_name="place_id")
            if place.area.municipality_id != municipality.id:
                raise Invalid.field("place_id", "Hör till en annan kommun.", "other_municipality")
            place_id = place.id
        except Invalid as exc:
            errors.extend(exc.errors)
    lat = lon = None
    if data.position is not None:
        lat, lon = _wgs84(data.position)
        refused = areas.refusal(session, municipality, lat, lon)
        if refused is not None:
            errors.append(FieldError("position", refused.message, "outside_municipality"))
    if data.category is not None:
        errors.extend(_category_errors(session, data.category, "category"))
    if errors:
        raise Invalid("Inlägget sparades inte: rätta det som är markerat.", errors=errors)
    post = LogPost(
        evening_id=evening.id,
        author_id=actor.user_id,
        organisation_id=actor.organisation_id,
        text=data.text,
        place_id=place_id,
        lat=lat,
        lon=lon,
        category=data.category,
    )
    session.add(post)
    session.flush()
    stream.announce(session, evening.id, post.id)
    return post


def _wgs84(
    position: incident_schemas.Wgs84Point | incident_schemas.SwerefPoint,
) -> tuple[float, float]:
    if isinstance(position, incident_schemas.Wgs84Point):
        return position.lat, position.lon
    return geo.to_wgs84(position.crs, position.n, position.e)


def _category_errors(session: Session, code: str, field: str) -> list[FieldError]:
    category = session.get(Category, code)
    if category is None:
        return [FieldError(field, f"Det finns ingen kategori med koden {code}.", "unknown_id")]
    if not category.active:
        return [
            FieldError(field, f"Kategorin {category.label_sv} används inte längre.", "inactive")
        ]
    return []


def get_post(session: Session, evening: Evening, post_id: int) -> LogPost:
    post = session.get(LogPost, post_id)
    if post is None or post.evening_id != evening.id:
        raise NotFound(f"Kvällens logg har inget inlägg {post_id}.")
    return post


# One tap: a post becomes an observation ---------------------------------------------------------


def make_observation(
    session: Session,
    evening_id: int,
    post_id: int,
    data: schemas.ObservationCreate,
    *,
    actor: Actor,
    source: str = "api",
) -> tuple[Incident, bool]:
    """The post filed as an observation of its author's organisation, with its text, place,
    point, time and category; and whether it was filed now. A post becomes one observation
    only: asked again, the same is answered, so it counts once in the lägesbild. Those who
    may post in the log may do it, also after the evening (the log closed)."""
    evening = evening_for(session, evening_id, actor, to="post")
    if session.get_bind().dialect.name == "postgresql":
        # Two taps at once wait for each other here: the second finds the first's incident.
        session.execute(select(LogPost.id).where(LogPost.id == post_id).with_for_update())
    post = get_post(session, evening, post_id)
    if post.incident_id is not None:
        existing = session.get(Incident, post.incident_id)
        if existing is not None:
            return existing, False
    category = data.category or post.category
    if category is None:
        raise Invalid.field(
            "category",
            "Välj en kategori: inlägget har ingen, och en händelse behöver en.",
            "required",
        )
    position = {"lat": post.lat, "lon": post.lon} if post.lat is not None else None
    try:
        item = incident_schemas.IncidentCreate.model_validate(
            {
                "category": category,
                "occurred_from": post.created_at,
                "place_id": post.place_id,
                "position": position,
                "area_id": evening.area_id if post.place_id is None and position is None else None,
                "assessment": data.assessment,
                "description": post.text,
                "confirm_personal_data": data.confirm_personal_data,
            }
        )
    except ValidationError as exc:
        raise _as_invalid(exc) from None
    organisation_id = post.organisation_id or actor.organisation_id
    if organisation_id is None:
        raise Invalid("Inlägget hör inte till någon organisation och kan inte bli en händelse.")
    organisation = session.get(Organisation, organisation_id)
    assert organisation is not None
    municipality = session.get(Municipality, organisation.municipality_id)
    assert municipality is not None
    try:
        values = incident_service.incident_values(session, item, municipality, "")
    except Invalid as exc:
        raise _renamed(exc) from None
    report = Report(organisation_id=organisation.id, reporter_id=actor.user_id, source=source)
    session.add(report)
    session.flush()
    incident = Incident(
        **values,
        report_id=report.id,
        municipality_id=municipality.id,
        organisation_id=organisation.id,
        source=source,
    )
    session.add(incident)
    session.flush()
    post.incident_id = incident.id
    session.flush()
    session.refresh(incident)
    return incident, True


def blank_posts_of(session: Session, incident_id: int) -> None:
    """The observation was withdrawn for personal data: the post it was made from keeps no
    text and no point either (api.incidents.slots.blank_copies)."""
    session.execute(
        update(LogPost)
        .where(LogPost.incident_id == incident_id)
        .values(text="", lat=None, lon=None)
        .execution_options(synchronize_session=False)
    )


# The incident's fields as the post's: what a refusal names.
_POST_FIELDS = {"description": "text", "area_id": "place_id"}


def _renamed(exc: Invalid) -> Invalid:
    errors = [FieldError(_POST_FIELDS.get(e.field, e.field), e.message, e.code) for e in exc.errors]
    return Invalid("Inlägget kan inte bli en händelse: " + exc.detail, errors=errors)


def _as_invalid(exc: ValidationError) -> Invalid:
    errors = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        errors.append(FieldError(_POST_FIELDS.get(field, field), error["msg"], error["type"]))
    first = errors[0].message if errors else ""
    return Invalid(f"Inlägget kan inte bli en händelse: {first}", errors=errors)
