"""The demo's police area (#21): Lokalpolisområde Järfälla over Upplands-Bro and Järfälla,
their sharing agreements and its group. Called by the demo seed once both municipalities are
loaded; changes nothing when run again, and nothing when either municipality is missing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import User, email_key
from api.demo_boundaries import JARFALLA, UPPLANDS_BRO, demo_structure
from api.policeareas import schemas, service
from api.policeareas.models import PoliceArea, PoliceAreaMember, SharingAgreement
from api.structure.models import Municipality

NAME = "Lokalpolisområde Järfälla"
# Property damage and public order, as the two municipalities agreed: Upplands-Bro at 250 m
# cells, Järfälla by area only; free text by neither.
SHARED = ["skadegorelse", "ordning"]
# By the demo municipalities' names as their seed files give them (one place for a name).
PRECISIONS = {
    demo_structure(UPPLANDS_BRO)["municipality"]["name"]: schemas.SharingPrecision.grid_250,
    demo_structure(JARFALLA)["municipality"]["name"]: schemas.SharingPrecision.area,
}
MUNICIPALITIES = tuple(PRECISIONS)
OFFICER = "polis@est.demo"


def load_police_area_demo(session: Session) -> PoliceArea | None:
    """In an unbound (system) session: the police area, its agreements and its group."""
    found = {
        m.name: m
        for m in session.scalars(select(Municipality).where(Municipality.name.in_(MUNICIPALITIES)))
    }
    if set(found) != set(MUNICIPALITIES):
        return None
    ordered = [found[name] for name in MUNICIPALITIES]
    area = session.scalar(select(PoliceArea).where(PoliceArea.name == NAME))
    if area is None:
        area = PoliceArea(name=NAME, municipalities=ordered)
        session.add(area)
        session.flush()
    for municipality in ordered:
        exists = session.scalar(
            select(SharingAgreement).where(
                SharingAgreement.police_area_id == area.id,
                SharingAgreement.municipality_id == municipality.id,
            )
        )
        if exists is None:
            terms = schemas.AgreementTerms(
                categories=SHARED, precision=PRECISIONS[municipality.name], free_text=False
            )
            service.write_agreement(session, area.id, municipality.id, None, terms, user_id=None)
    officer = session.scalar(select(User).where(User.email_key == email_key(OFFICER)))
    if officer is not None:
        member = session.scalar(
            select(PoliceAreaMember).where(
                PoliceAreaMember.police_area_id == area.id, PoliceAreaMember.user_id == officer.id
            )
        )
        if member is None:
            session.add(
                PoliceAreaMember(
                    police_area_id=area.id,
                    user_id=officer.id,
                    role=schemas.PoliceAreaRole.convener,
                )
            )
    session.flush()
    return area
