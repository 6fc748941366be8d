"""OGC API – Features: the landing page, conformance, the collection and its items."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from api import localtime
from api.audit import service as audit
from api.deps import ActorDep, SessionDep
from api.errors import NotFound
from api.features import service
from api.incidents import export
from api.problems import problem_responses
from api.schemas_common import QueryId

router = APIRouter()
GEOJSON = "application/geo+json"
CollectionId = Annotated[str, Path(max_length=64, description="The collection: `incidents`.")]
CrsParam = Annotated[
    str | None,
    Query(
        max_length=200, description=f"The coordinates' CRS, one of: {', '.join(service.OFFERED)}."
    ),
]
_JSON: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}}}
}
_GEO: dict[int | str, dict[str, Any]] = {
    200: {"content": {GEOJSON: {"schema": {"type": "object"}}}}
}


def _base(request: Request) -> str:
    """The landing page's URL as the client reached it (behind a proxy, as it forwards)."""
    url = str(request.url.replace(query=None))
    return url[: url.index("/features") + len("/features")]


def _collection(request: Request, session: Any, actor: Any) -> dict[str, Any]:
    base = _base(request)
    return {
        "id": service.COLLECTION,
        "title": "Händelser",
        "description": "Iakttagelser av det som skapar otrygghet: vad, var och när.",
        "itemType": "feature",
        "extent": service.extent(session, actor=actor),
        "crs": service.OFFERED,
        "storageCrs": service.CRS84,
        "links": [
            {"href": f"{base}/collections/{service.COLLECTION}", "rel": "self",
             "type": "application/json", "title": "Samlingen"},
            {"href": f"{base}/collections/{service.COLLECTION}/items", "rel": "items",
             "type": GEOJSON, "title": "Händelserna"},
        ],
    }  # fmt: skip


def _check(collection_id: str) -> None:
    if collection_id != service.COLLECTION:
        raise NotFound(f"Det finns ingen samling {collection_id!r}; den som finns är incidents.")


@router.get(
    "/features",
    operation_id="features_landing",
    # An OGC document, answered as built (its shape is the standard's, not a schema's).
    response_model=None,
    summary="OGC API – Features: the landing page",
    responses={**_JSON, **problem_responses(401, 403, 503)},
)
def landing(request: Request) -> dict[str, Any]:
    base = _base(request)
    api = (
        base[: base.rindex("/v1/") + 1] + "openapi.json" if "/v1/" in base else "/api/openapi.json"
    )
    return {
        "title": "EST Lägesbild – händelser som geodata",
        "description": "Händelserna som ett lager för QGIS, ArcGIS och GDAL (OGC API – Features).",
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": "Den här sidan"},
            {"href": api, "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0", "title": "API:ts beskrivning"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json",
             "title": "Vilka delar av standarden som stöds"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json",
             "title": "Samlingarna"},
        ],
    }  # fmt: skip


@router.get(
    "/features/conformance",
    operation_id="features_conformance",
    response_model=None,
    summary="OGC API – Features: the conformance classes",
    responses={**_JSON, **problem_responses(401, 403, 503)},
)
def conformance() -> dict[str, Any]:
    return {"conformsTo": service.CONFORMANCE}


@router.get(
    "/features/collections",
    operation_id="features_collections",
    response_model=None,
    summary="OGC API – Features: the collections (one: incidents)",
    responses={**_JSON, **problem_responses(401, 403, 503)},
)
def collections(request: Request, session: SessionDep, actor: ActorDep) -> dict[str, Any]:
    base = _base(request)
    return {
        "links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json"}],
        "collections": [_collection(request, session, actor)],
        "crs": service.OFFERED,
    }


@router.get(
    "/features/collections/{collection_id}",
    operation_id="features_collection",
    response_model=None,
    summary="OGC API – Features: the incidents collection",
    responses={**_JSON, **problem_responses(401, 403, 404, 422, 503)},
)
def collection(
    collection_id: CollectionId, request: Request, session: SessionDep, actor: ActorDep
) -> dict[str, Any]:
    _check(collection_id)
    return _collection(request, session, actor)


@router.get(
    "/features/collections/{collection_id}/items",
    operation_id="features_items",
    summary="OGC API – Features: the incidents as GeoJSON, filtered by bbox and datetime",
    response_class=JSONResponse,
    responses={**_GEO, **problem_responses(401, 403, 404, 422, 503)},
)
def items(
    collection_id: CollectionId,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = service.DEFAULT_LIMIT,
    bbox: Annotated[
        str | None, Query(max_length=200, description="minx,miny,maxx,maxy in bbox-crs.")
    ] = None,
    bbox_crs: Annotated[
        str | None, Query(alias="bbox-crs", max_length=200, description="The bbox's CRS.")
    ] = None,
    datetime: Annotated[
        str | None,
        Query(max_length=100, description="An instant or an interval (a/b, ../b, a/..)."),
    ] = None,
    crs: CrsParam = None,
    cursor: Annotated[str | None, Query(max_length=200, description="From `next`.")] = None,
) -> JSONResponse:
    _check(collection_id)
    code = service.crs_code(crs)
    rows, following, matched = service.items(
        session, actor=actor, bbox=bbox, bbox_crs=bbox_crs, datetime_text=datetime,
        limit=limit, cursor=cursor,
    )  # fmt: skip
    # A GIS layer may be the whole municipality in one call: an export, page by page.
    audit.record_export(
        session,
        object_type="incidents",
        form="ogc",
        asked={"bbox": bbox, "bbox-crs": bbox_crs, "datetime": datetime, "crs": crs,
               "limit": limit, "cursor": cursor},
        rows=len(rows),
    )  # fmt: skip
    links = [{"href": str(request.url), "rel": "self", "type": GEOJSON}]
    if following is not None:
        url = request.url.include_query_params(cursor=following)
        links.append({"href": str(url), "rel": "next", "type": GEOJSON, "title": "Nästa sida"})
    body = {
        "type": "FeatureCollection",
        "features": [export.feature(incident, code) for incident in rows],
        "numberMatched": matched,
        "numberReturned": len(rows),
        "timeStamp": localtime.utcnow().isoformat().replace("+00:00", "Z"),
        "links": links,
    }
    return JSONResponse(
        body, media_type=GEOJSON, headers={"Content-Crs": f"<{crs or service.CRS84}>"}
    )


@router.get(
    "/features/collections/{collection_id}/items/{feature_id}",
    operation_id="features_item",
    summary="OGC API – Features: one incident as a GeoJSON Feature",
    response_class=JSONResponse,
    responses={**_GEO, **problem_responses(401, 403, 404, 422, 503)},
)
def item(
    collection_id: CollectionId,
    feature_id: Annotated[QueryId, Path()],
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    crs: CrsParam = None,
) -> JSONResponse:
    _check(collection_id)
    code = service.crs_code(crs)
    body = export.feature(service.one(session, feature_id, actor=actor), code)
    audit.record_readings(session, [feature_id])
    body["links"] = [{"href": str(request.url), "rel": "self", "type": GEOJSON}]
    return JSONResponse(
        body, media_type=GEOJSON, headers={"Content-Crs": f"<{crs or service.CRS84}>"}
    )
