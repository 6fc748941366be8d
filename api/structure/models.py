from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api import localtime
from api.db import Base, text_enum
from api.geojson import point_geometry, point_lat_lon
from api.localtime import SWEDISH_ZONE, utcnow
from api.records import ActiveMixin, NamedMixin, TimestampMixin
from api.settings import Settings
from api.structure.schemas import GroupKind, OrganisationKind
from api.tenancy import Municipal


def outline_bounds(outline: dict[str, Any]) -> tuple[float, float, float, float]:
    """West, south, east, north of a GeoJSON Polygon or MultiPolygon."""
    coordinates = outline["coordinates"]
    polygons = coordinates if outline["type"] == "MultiPolygon" else [coordinates]
    lons = [p[0] for polygon in polygons for ring in polygon for p in ring]
    lats = [p[1] for polygon in polygons for ring in polygon for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


class Municipality(NamedMixin, ActiveMixin, TimestampMixin, Base):
    __tablename__ = "municipalities"
    __table_args__ = (UniqueConstraint("name_key"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), default=SWEDISH_ZONE)
    local_crs: Mapped[str] = mapped_column(String(32), default="EPSG:3011")
    # {west, south, east, north} in WGS 84: positions outside are refused as mistakes.
    extent: Mapped[dict[str, float] | None] = mapped_column(JSON)
    # The municipality's outline (GeoJSON Polygon or MultiPolygon in WGS 84), drawn on its
    # maps; the extent is its bounding box where none was given (#21).
    outline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The municipality's own settings where they differ from the installation's (None: the
    # EST_* setting of the same name, api.settings): how far a point without an area
    # finds the nearest named place, and the retention periods of its records plan.
    nearest_place_metres: Mapped[float | None] = mapped_column(Float)
    retain_incident_text_months: Mapped[int | None] = mapped_column(Integer)
    retain_audit_years: Mapped[int | None] = mapped_column(Integer)
    # The privacy notice (integritetsmeddelande) the municipality wrote; None: the default
    # (api.structure.privacy).
    privacy_notice: Mapped[str | None] = mapped_column(Text)
    # Its people sign in with a password; its administrator turns it off where its identity
    # provider signs them in (api.accounts.password_sign_in), break-glass administrators aside.
    password_sign_in: Mapped[bool] = mapped_column(default=True, server_default=true())

    @property
    def bounds(self) -> dict[str, float] | None:
        """The box positions must lie in: the extent, else the outline's bounding box."""
        if self.extent is not None:
            return self.extent
        if self.outline is None:
            return None
        west, south, east, north = outline_bounds(self.outline)
        return {"west": west, "south": south, "east": east, "north": north}

    @property
    def zone(self) -> ZoneInfo:
        """The municipality's own time zone: where its days begin and end."""
        return localtime.zone(self.timezone or SWEDISH_ZONE)

    @property
    def today(self) -> dt.date:
        """Today where the municipality is, in its own time zone."""
        return localtime.today(self.zone)

    def retention(self, settings: Settings) -> tuple[int, int]:
        """(months an observation's free text and point are kept, years the audit log is):
        the municipality's own periods where it set them, else the installation's
        (EST_RETAIN_INCIDENT_TEXT_MONTHS, EST_RETAIN_AUDIT_YEARS)."""
        months, years = self.retain_incident_text_months, self.retain_audit_years
        return (
            months if months is not None else settings.retain_incident_text_months,
            years if years is not None else settings.retain_audit_years,
        )


class Area(Municipal, NamedMixin, ActiveMixin, TimestampMixin, Base):
    __tablename__ = "areas"
    __table_args__ = (
        UniqueConstraint("municipality_id", "name_key"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    # A GeoJSON Polygon or MultiPolygon in WGS 84, from the municipality's GIS.
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    center_lat: Mapped[float | None] = mapped_column(Float)
    center_lon: Mapped[float | None] = mapped_column(Float)

    municipality: Mapped[Municipality] = relationship()

    @property
    def center(self) -> dict[str, Any] | None:
        return point_geometry(self.center_lat, self.center_lon)

    @center.setter
    def center(self, geometry: dict[str, Any] | None) -> None:
        self.center_lat, self.center_lon = point_lat_lon(geometry)


class Place(Municipal, NamedMixin, ActiveMixin, TimestampMixin, Base):
    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("area_id", "name_key"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    area: Mapped[Area] = relationship()

    @property
    def point(self) -> dict[str, Any] | None:
        return point_geometry(self.lat, self.lon)

    @point.setter
    def point(self, geometry: dict[str, Any] | None) -> None:
        self.lat, self.lon = point_lat_lon(geometry)


class Organisation(Municipal, NamedMixin, ActiveMixin, TimestampMixin, Base):
    __tablename__ = "organisations"
    __table_args__ = (
        UniqueConstraint("municipality_id", "name_key"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    kind: Mapped[OrganisationKind] = mapped_column(text_enum(OrganisationKind, "organisation_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The organisation residents' accepted tips are filed for (#20): no partner, so never
    # offered or accepted where a partner is chosen.
    residents: Mapped[bool] = mapped_column(default=False, server_default=false())

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class GroupOrganisation(Municipal, Base):
    """An organisation taking part in a group."""

    __tablename__ = "group_organisations"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Group(Municipal, NamedMixin, ActiveMixin, TimestampMixin, Base):
    __tablename__ = "groups"
    __table_args__ = (
        UniqueConstraint("municipality_id", "name_key"),
        CheckConstraint(
            "(kind = 'area' AND area_id IS NOT NULL) OR (kind <> 'area' AND area_id IS NULL)",
            name="area_iff_area_group",
        ),
        CheckConstraint(
            "cadence_weeks IS NULL OR (cadence_weeks >= 1 AND cadence_weeks <= 52)",
            name="cadence_weeks_range",
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    kind: Mapped[GroupKind] = mapped_column(text_enum(GroupKind, "group_kind"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    convener_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # How often the group meets, in weeks: the coordination group meets every second week.
    cadence_weeks: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(2000))

    area: Mapped[Area | None] = relationship()
    convener: Mapped[Organisation | None] = relationship()
    participations: Mapped[list[GroupOrganisation]] = relationship(
        cascade="all, delete-orphan", order_by=GroupOrganisation.organisation_id
    )

    @property
    def organisations(self) -> list[Organisation]:
        return [p.organisation for p in self.participations]

    @property
    def organisation_ids(self) -> list[int]:
        return [p.organisation_id for p in self.participations]

    @organisation_ids.setter
    def organisation_ids(self, ids: list[int]) -> None:
        """Keep the participations that stay (and when they began), add the new ones."""
        wanted = list(dict.fromkeys(ids))
        kept = [p for p in self.participations if p.organisation_id in wanted]
        have = {p.organisation_id for p in kept}
        self.participations = kept + [
            GroupOrganisation(organisation_id=oid) for oid in wanted if oid not in have
        ]
