"""The Swedish words of the product, one home for the API's texts and the web pages alike: the
name of every value of every enum a person sees (a role, a status, a kind), months and
weekdays, and a day as a person writes it. One source, so that a status or a date reads the
same in an agenda item the API writes, a CSV cell, a page and a PDF.

The maps are keyed by the enums' values, not by the enums: this module imports no domain
package, so that any layer may use it (README, "Layers"). ``tests/api/test_swedish.py`` holds
each map against its enum: every value named, nothing else.

Dicts keep their order: where a form offers the values, it offers them in this order.
"""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
WEEKDAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
WEEKDAYS_LONG = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def day_sv(value: dt.date, *, year: bool = True) -> str:
    """ "4 mars 2021", or "4 mars" without the year."""
    text = f"{value.day} {MONTHS[value.month - 1]}"
    return f"{text} {value.year}" if year else text


# The EST structure and accounts ---------------------------------------------------------------

# accounts.schemas.Role
ROLES = {
    "convener": "sammankallande",
    "member": "medlem",
    "reporter": "rapportör",
    "viewer": "läsare",
}
# structure.schemas.GroupKind
GROUP_KINDS = {
    "steering": "Styrgrupp",
    "coordination": "Samordningsgrupp",
    "area": "Områdesgrupp",
}
# … and over several of a kind (the start page's levels, a group's neighbours).
GROUP_KIND_HEADINGS = {
    "steering": "Styrgrupp",
    "coordination": "Samordningsgrupp",
    "area": "Områdesgrupper",
}
# structure.schemas.OrganisationKind: one organisation's kind (a table cell, a filter option) …
ORGANISATION_KINDS = {
    "municipality": "Kommunal verksamhet",
    "police": "Polis",
    "housing": "Bostadsbolag",
    "property": "Fastighetsägare",
    "security": "Bevakningsföretag",
    "fire_service": "Räddningstjänst",
    "school": "Skola",
    "association": "Förening",
    "other": "Övrig",
}
# … and the heading over several of one kind, in the order a group page lists them.
ORGANISATION_KIND_HEADINGS = {
    "municipality": "Kommunen",
    "police": "Polisen",
    "housing": "Bostadsbolag",
    "property": "Fastighetsägare",
    "security": "Bevakningsföretag",
    "fire_service": "Räddningstjänsten",
    "school": "Skolor",
    "association": "Föreningar",
    "other": "Övriga",
}
# The coordinate systems a point may be given in (incidents.schemas, structure.schemas.LocalCrs).
COORDINATE_SYSTEMS = {
    "EPSG:4326": "WGS 84 (lat, lon)",
    "EPSG:3011": "SWEREF 99 18 00 (N, E)",
    "EPSG:3006": "SWEREF 99 TM (N, E)",
}

# Observations -------------------------------------------------------------------------------

# incidents.schemas.Precision: how exact the time is, as the export writes it.
PRECISIONS = {"exact": "tidpunkt", "part_of_day": "tidsfönster", "day": "dag"}
# incidents.schemas.Assessment
ASSESSMENTS = {"low": "Låg", "medium": "Medel", "high": "Hög"}
# incidents.schemas.Certainty
CERTAINTIES = {"observed": "Observerat", "suspected": "Misstänkt"}
# incidents.schemas.PoliceReported
POLICE_REPORTED = {"yes": "Ja", "no": "Nej", "unknown": "Vet ej"}
# incidents.schemas.WithdrawReason
WITHDRAW_REASONS = {
    "duplicate": "Dubblett av en annan händelse",
    "mistake": "Felaktig eller rapporterad av misstag",
    "personal_data": "Innehöll personuppgifter",
    "other": "Annat",
}

# The status of a reporter's own observation (api.interventions.schemas.ReportStatus).
REPORT_STATUSES = {
    "new": "Ny",
    "in_situation": "I lägesbild",
    "in_intervention": "Ingår i insats",
    "fed_back": "Återkopplad",
}

# The evening in the field ------------------------------------------------------------------

# evenings.schemas.EveningKind
EVENING_KINDS = {
    "weekend": "Helgkväll",
    "valborg": "Valborg",
    "school_end": "Skolavslutning",
    "halloween": "Halloween",
    "new_year": "Nyårsafton",
    "other": "Annan riskkväll",
}

# Residents and safety walks (#20) ------------------------------------------------------------

# tips.schemas.Moderation
MODERATIONS = {"pending": "Väntar på granskning", "accepted": "Godkänd", "rejected": "Avvisad"}
# tips.schemas.TipWhat: as a resident reads it on the public page
TIP_WHATS = {
    "unsafe_place": "En otrygg plats (mörkt, buskigt, ödsligt)",
    "vandalism": "Skadegörelse eller klotter",
    "gathering": "Stök eller grupperingar",
    "drugs": "Droger",
    "traffic": "Mopeder eller farlig trafik",
    "fire": "Brand eller anlagd eld",
    "other": "Något annat",
}
# safetywalks.schemas.InputFrom
INPUT_FROM = {"resident": "Boende", "business": "Företag eller butik"}
# safetywalks.schemas.FindingKind
FINDING_KINDS = {
    "lighting": "Belysning",
    "vegetation": "Buskar och sly",
    "path": "Gångväg eller trappa",
    "vandalism": "Skadegörelse eller klotter",
    "litter": "Nedskräpning",
    "signage": "Skyltning",
    "other": "Annat",
}
# safetywalks.schemas.FindingStatus
FINDING_STATUSES = {
    "open": "Ej åtgärdat",
    "in_progress": "Påbörjat",
    "fixed": "Åtgärdat",
    "declined": "Åtgärdas inte",
}

# The lägesbild ------------------------------------------------------------------------------

# situation.schemas.Status
# policeareas.schemas.PoliceAreaRole, SharingPrecision (#21)
# In the order the group's form offers them: a new person is most often a member.
POLICE_AREA_ROLES = {"member": "medlem", "viewer": "läsare", "convener": "sammankallande"}
SHARING_PRECISIONS = {
    "point": "Exakt punkt",
    "grid_250": "Ruta om 250 meter",
    "area": "Bara området",
}

SITUATION_STATUSES = {"draft": "Utkast", "published": "Publicerad"}
# situation.schemas.HotSpotTrend
TRENDS = {"new": "ny", "growing": "växer", "steady": "oförändrad", "shrinking": "minskar"}

# analysis.schemas.EmergingClass: ArcGIS's classes of an emerging hot spot, and what each means.
EMERGING_CLASSES = {
    "new": "Ny",
    "consecutive": "Sammanhängande",
    "intensifying": "Tilltagande",
    "persistent": "Ihållande",
    "diminishing": "Avtagande",
    "sporadic": "Sporadisk",
    "oscillating": "Växlande",
    "historical": "Historisk",
}
EMERGING_MEANINGS = {
    "new": "het bara i det senaste tidssteget",
    "consecutive": "het i en obruten följd av minst två steg fram till nu, aldrig tidigare",
    "intensifying": "het i minst 90 % av stegen, och allt hetare",
    "persistent": "het i minst 90 % av stegen, utan tydlig trend",
    "diminishing": "het i minst 90 % av stegen, men allt svalare",
    "sporadic": "het nu, och av och till tidigare",
    "oscillating": "het nu, men en signifikant kall fläck i något tidigare steg",
    "historical": "het i minst 90 % av stegen, men inte i det senaste",
}

# Interventions ------------------------------------------------------------------------------

# interventions.schemas.InterventionType
INTERVENTION_TYPES = {
    "outreach": "Uppsökande arbete",
    "guards": "Väktarbevakning",
    "letter": "Informationsbrev",
    "clearing": "Slyröjning",
    "lighting": "Belysning",
    "graffiti_removal": "Klottersanering",
    "campaign": "Kampanj",
    "physical": "Fysisk miljö",
    "night_walks": "Nattvandring",
    "other": "Annat",
}
# incidents.schemas.InterventionStatus (an incident's outcomes carry it, so it lives there)
INTERVENTION_STATUSES = {
    "proposed": "Föreslagen",
    "planned": "Planerad",
    "ongoing": "Pågående",
    "done": "Genomförd",
    "cancelled": "Avbruten",
}
# interventions.schemas.TargetKind
TARGET_KINDS = {"place": "En plats", "point": "En punkt med radie", "area": "Ett helt område"}
# interventions.schemas.Verdict
VERDICTS = {
    "reduction": "Minskning",
    "increase": "Ökning",
    "no_clear_change": "Ingen tydlig skillnad",
    "too_few": "För få händelser",
    "not_yet": "Inte klart än",
}
# interventions.schemas.Channel
CHANNELS = {
    "meeting": "På ett möte",
    "email": "E-post",
    "phone": "Telefon",
    "letter": "Brev",
    "other": "Annat",
}

# Steering -----------------------------------------------------------------------------------

# steering.schemas.AssignmentStatus
ASSIGNMENT_STATUSES = {
    "open": "Väntar på återrapport",
    "answered": "Återrapporterat",
    "closed": "Avslutat",
    "withdrawn": "Återkallat",
}
# steering.schemas.Direction
DIRECTIONS = {"decrease": "Lägre är bättre", "increase": "Högre är bättre"}
# steering.schemas.IndicatorKind
INDICATOR_KINDS = {
    "computed": "Räknas fram ur händelserna (per kvartal)",
    "manual": "Förs in för hand (till exempel Stockholmsenkäten, LUPP)",
}

# The audit log ------------------------------------------------------------------------------

# The actions and outcomes api.audit records.
AUDIT_ACTIONS = {
    "sign_in": "Inloggning",
    "sign_out": "Utloggning",
    "refused": "Nekad åtkomst",
    "create": "Skapat",
    "update": "Ändrat",
    "delete": "Borttaget",
    "end_sessions": "Avslutade sessioner",
    "export": "Export",
    "import": "Import",
    # A read of records that are not incidents (the guard reports, #19).
    "read": "Läsning",
    # api.retention: a run's start and its counts per kind.
    "retention": "Gallring",
    # Two-factor sign-in (api.accounts.totp).
    "totp_enrol": "Tvåstegsverifiering påslagen",
    "totp_verify": "Kod vid inloggning",
    "totp_disable": "Tvåstegsverifiering avstängd",
    "totp_reset": "Tvåstegsverifiering återställd",
}
# The forms of an export (api.audit.schemas.ExportForm), in the log's "Begäran" column.
AUDIT_FORMS = {
    "list": "Lista",
    "geojson": "Kartlager (GeoJSON)",
    "csv": "Fil (CSV)",
    "ogc": "GIS-tjänst (OGC API)",
    "feed": "Ändringsflöde",
    "report": "Rapport",
    "stream": "Direktflöde",
    "pdf": "PDF",
    "print": "Utskrift",
}
AUDIT_OUTCOMES = {
    "ok": "Lyckades",
    "pending": "Väntar på kod",
    "failed": "Misslyckades",
    "refused": "Nekad",
    "throttled": "Spärrad (för många försök)",
}
# The audit log names the table a write touched (never its text); people read these. Every
# table whose writes are audited has one (tests/api/test_swedish.py).
AUDIT_OBJECTS = {
    "municipalities": "Kommun",
    "areas": "Område",
    "places": "Plats",
    "organisations": "Organisation",
    "groups": "Grupp",
    "group_organisations": "Deltagande organisation",
    "categories": "Kategori",
    "users": "Användare",
    "memberships": "Medlemskap",
    "auth_sessions": "Inloggning",
    "oidc_providers": "Identitetsleverantör",
    "oidc_identities": "Koppling till identitetsleverantör",
    "oidc_group_mappings": "Gruppkoppling från identitetsleverantör",
    "saml_providers": "SAML-identitetstjänst",
    "saml_used_assertions": "Använt SAML-intyg",
    "service_tokens": "Tjänstetoken",
    "scim_tokens": "SCIM-token",
    "scim_users": "Konto från kommunens katalog (SCIM)",
    "scim_groups": "Grupp i kommunens katalog (SCIM)",
    "scim_group_members": "Medlem i grupp i kommunens katalog (SCIM)",
    "incidents": "Händelse",
    "incident_versions": "Tidigare version av händelse",
    "incident_matches": "Matchning mot polisanmälan",
    "reports": "Rapport",
    "category_mappings": "Kategorimappning",
    "import_files": "Importfil",
    "sync_states": "Synkronisering",
    "situation_reports": "Lägesbild",
    "police_statistics": "Polisens statistik",
    "interventions": "Insats",
    "intervention_incidents": "Händelse kopplad till insats",
    "follow_ups": "Uppföljning",
    "feedback": "Återkoppling",
    "feedback_organisations": "Mottagare av återkoppling",
    "meetings": "Möte",
    "meeting_attendees": "Närvarande på möte",
    "meeting_organisations": "Organisation på möte",
    "decisions": "Beslut",
    "goals": "Mål",
    "indicators": "Indikator",
    "indicator_values": "Indikatorvärde",
    "assignments": "Uppdrag",
    "assignment_events": "Uppdragets historik",
    "plans": "Plan",
    "activities": "Aktivitet",
    "activity_partners": "Samarbetspart i aktivitet",
    "activity_reviews": "Uppföljning av aktivitet",
    "plan_reviews": "Uppföljning av plan",
    "evenings": "Kväll",
    "shifts": "Pass",
    "log_posts": "Loggpost",
    "hosts": "Vandravärd",
    "night_walks": "Nattvandring",
    "night_walk_hosts": "Vandravärd på nattvandring",
    "guard_reports": "Bevakningsrapport",
    "photos": "Bild",
    "tips": "Tips från allmänheten",
    "safety_walks": "Trygghetsvandring",
    "safety_walk_organisations": "Inbjuden till trygghetsvandring",
    "walk_inputs": "Synpunkt inför trygghetsvandring",
    "findings": "Fynd på trygghetsvandring",
    "police_areas": "Lokalpolisområde",
    "police_area_members": "Medlem i lokalpolisområdets grupp",
    "sharing_agreements": "Delningsavtal",
    "sharing_agreement_versions": "Tidigare version av delningsavtal",
    # What api.retention counts (its deletions of audit events are never themselves audited).
    "audit_events": "Logghändelse",
    "incident_readings": "Läsning av händelse",
    "idempotent_requests": "Sparat svar på upprepad begäran",
}
