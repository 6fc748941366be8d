"""A municipality's privacy notice (integritetsmeddelande, GDPR articles 13 and 14): the
text the municipality wrote, or until then a default that says what the product does and
leaves the municipality's own facts (its data protection officer) for it to fill in. The
retention periods in the default are the ones the municipality keeps: its own where it set
them, else the installation's (``EST_RETAIN_*``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.access import policy
from api.actor import Actor
from api.errors import Hidden, NotFound
from api.records import get_or_404, not_found_message
from api.schemas_common import Ref
from api.settings import Settings
from api.structure import public, schemas
from api.structure.models import Municipality
from api.structure.service import refuse_inactive

DEFAULT_NOTICE = """\
{municipality} är personuppgiftsansvarig för personuppgifterna i EST Lägesbild, det system \
som kommunen och dess samverkansparter använder i arbetet med Effektiv samordning för \
trygghet (EST).

## Varför vi behandlar personuppgifter
- För att samordna det brottsförebyggande och trygghetsskapande arbetet: ta emot \
iakttagelser, sammanställa lägesbilder, besluta och följa upp insatser och återkoppla till \
dem som rapporterat.
- För att ge dem som arbetar i EST-grupperna ett konto och för att logga vem som har gjort \
vad i systemet, så att informationen hålls säker.

## Rättslig grund
Behandlingen är nödvändig för att utföra en uppgift av allmänt intresse (artikel 6.1 e i \
dataskyddsförordningen): kommunens ansvar för brottsförebyggande arbete enligt lagen \
(2023:196) om kommuners ansvar för brottsförebyggande arbete. Loggen förs för att skydda \
uppgifterna (artikel 32).

## Vilka personuppgifter vi behandlar
- Om dig som har ett konto: namn, e-postadress, organisation, vilka grupper du ingår i och \
med vilken roll, när du loggat in och vad du gjort i systemet.
- Iakttagelser ska inte innehålla uppgifter om enskilda personer. Fritext som ser ut att \
innehålla personnummer, telefonnummer eller e-postadresser stoppas, och en iakttagelse som \
ändå namnger någon dras tillbaka och töms på text.
- Plats och tid för en iakttagelse kan ibland göra det möjligt att förstå vem den gäller.

## Hur länge uppgifterna sparas
- Fritext och exakta platser i iakttagelser gallras {months} månader efter händelsen. \
Område, kategori och tid finns kvar, så att statistiken står sig.
- Texterna i lägesbilder gallras lika länge efter lägesbildens period. Siffrorna finns kvar.
- Loggen över vad som har gjorts i systemet sparas i {years} år.
- Kommunens dokumenthanteringsplan styr vad som bevaras och gallras i övrigt.

## Vilka som tar del av uppgifterna
Medlemmarna i kommunens EST-grupper (kommunen, polisen, bostadsbolag och andra \
samverkansparter) ser det deras roll och område ger dem. Uppgifterna lämnas inte ut till \
länder utanför EU/EES.

## Dina rättigheter
Du har rätt att få veta vilka personuppgifter vi behandlar om dig (registerutdrag), att få \
felaktiga uppgifter rättade och i vissa fall att få uppgifter raderade, att begränsa \
behandlingen och att invända mot den. Kontakta kommunen om du vill använda dina rättigheter.

## Dataskyddsombud
Kommunens dataskyddsombud nås via kommunens växel eller kommunens webbplats.

## Klagomål
Om du är missnöjd med hur vi behandlar dina personuppgifter kan du lämna klagomål till \
Integritetsskyddsmyndigheten (IMY), www.imy.se."""


def default_notice(municipality: Municipality, settings: Settings) -> str:
    months, years = municipality.retention(settings)
    return DEFAULT_NOTICE.format(municipality=municipality.name, months=months, years=years)


def _read(municipality: Municipality, settings: Settings) -> schemas.PrivacyNoticeRead:
    own = municipality.privacy_notice
    return schemas.PrivacyNoticeRead(
        municipality=Ref(id=municipality.id, name=municipality.name),
        text=own if own is not None else default_notice(municipality, settings),
        default=own is None,
        updated_at=municipality.updated_at,
    )


def read_notice(
    session: Session, municipality_id: int | None, settings: Settings
) -> schemas.PrivacyNoticeRead:
    """A municipality's notice; without an id, the installation's only active
    municipality's (where there are several, the reader names one: api.structure.public)."""
    if municipality_id is not None:
        return _read(get_or_404(session, Municipality, municipality_id, "ingen kommun"), settings)
    try:
        return _read(public.addressed(session, None), settings)
    except NotFound as exc:
        raise NotFound(
            "Det finns ingen kommun ännu, och därför inget integritetsmeddelande."
        ) from exc


def set_notice(
    session: Session,
    municipality_id: int,
    data: schemas.PrivacyNoticeUpdate,
    settings: Settings,
    *,
    actor: Actor,
) -> schemas.PrivacyNoticeRead:
    municipality = get_or_404(session, Municipality, municipality_id, "ingen kommun")
    managed = policy.managed_municipality_ids(actor)
    if managed is not None and municipality_id not in managed:
        raise Hidden(not_found_message("ingen kommun", municipality_id))
    refuse_inactive(municipality)
    municipality.privacy_notice = data.text
    session.flush()
    session.refresh(municipality)
    return _read(municipality, settings)
