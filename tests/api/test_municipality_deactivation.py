"""Deactivating a municipality (README "Deactivating a municipality"): those who act in it
alone cannot sign in (a clear Swedish answer) and their sessions end at once, for good; its
service tokens end; a person who belongs to another active municipality goes on there but
not in it; nothing in it is written until it is activated again; the operator still reads
and activates it. On SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from api.accounts.models import User
from api.seed import DEMO_PASSWORD
from tests.support.people import ADMIN_EMAIL, PEOPLE, People, demo_password_hash
from tests.support.servers import Server

V1 = "/api/v1"
B_ADMIN = "berit@sjovik.test"


def _ok(response: httpx.Response, code: int = 201) -> dict:  # type: ignore[type-arg]
    assert response.status_code == code, response.text
    return response.json()  # type: ignore[no-any-return]


def _sjovik(server: Server, people: People) -> tuple[int, str, str]:
    """Sjövik: its administrator (and their session), an organisation with a service token,
    and a coordination group that the demo's coordination convener (of Upplands-Bro) is in.
    Answers (id, the administrator's token, the service token)."""
    with server.client(server.token_for(ADMIN_EMAIL)) as operator:
        b_id = int(
            _ok(operator.post(f"{V1}/municipalities", json={"name": "Sjöviks kommun"}))["id"]
        )
    with server.database.session(write=True) as session:
        session.add(
            User(
                name="Berit Administratör",
                email=B_ADMIN,
                is_admin=True,
                municipality_id=b_id,
                password_hash=demo_password_hash(),
            )
        )
    admin_token = server.token_for(B_ADMIN)
    with server.client(admin_token) as admin:
        office = _ok(
            admin.post(
                f"{V1}/organisations",
                json={
                    "municipality_id": b_id,
                    "name": "Sjöviks förvaltning",
                    "kind": "municipality",
                },
            )
        )["id"]
        group = _ok(
            admin.post(
                f"{V1}/groups",
                json={
                    "municipality_id": b_id,
                    "name": "Sjöviks samordningsgrupp",
                    "kind": "coordination",
                    "organisation_ids": [office],
                },
            )
        )["id"]
        convener = people["users"]["coordination"]["id"]
        _ok(admin.put(f"{V1}/groups/{group}/memberships/{convener}", json={"role": "member"}))
        token = _ok(
            admin.post(
                f"{V1}/service-tokens", json={"organisation_id": office, "source": "embrace"}
            )
        )["token"]
    return b_id, admin_token, str(token)


def test_a_deactivated_municipality_is_closed(
    server: Server, api: httpx.Client, anon: httpx.Client, people: People
) -> None:
    b_id, b_admin, service_token = _sjovik(server, people)
    both = people["tokens"]["coordination"]
    with server.client(both) as person:
        me = _ok(person.get(f"{V1}/auth/me"), 200)
        assert b_id in [m["id"] for m in me["municipalities"]]
        there = person.get(f"{V1}/groups", headers={"EST-Municipality": str(b_id)})
        assert there.status_code == 200
    with server.client(service_token) as integration:
        assert integration.get(f"{V1}/integrations/embrace").status_code == 200

    with server.client(server.token_for(ADMIN_EMAIL)) as operator:
        off = _ok(operator.post(f"{V1}/municipalities/{b_id}/deactivate"), 200)
        assert off["active"] is False

        # Its administrator's session has ended; they cannot sign in, and are told why.
        with server.client(b_admin) as admin:
            ended = admin.get(f"{V1}/auth/me")
            assert ended.status_code == 401 and ended.json()["code"] == "token_rejected"
        refused = anon.post(f"{V1}/auth/token", json={"email": B_ADMIN, "password": DEMO_PASSWORD})
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "municipality_inactive"
        assert "avaktiverad" in refused.json()["detail"]
        # A wrong password is still only a wrong password.
        wrong = anon.post(f"{V1}/auth/token", json={"email": B_ADMIN, "password": "fel-lösenord"})
        assert wrong.status_code == 401
        # Its service token has ended.
        with server.client(service_token) as integration:
            assert integration.get(f"{V1}/integrations/embrace").status_code == 401

        # Someone of another municipality too goes on there, and not in this one.
        with server.client(both) as person:
            me = _ok(person.get(f"{V1}/auth/me"), 200)
            assert b_id not in [m["id"] for m in me["municipalities"]]
            assert person.get(f"{V1}/groups").status_code == 200
            there = person.get(f"{V1}/groups", headers={"EST-Municipality": str(b_id)})
            assert there.status_code == 403
            assert there.json()["code"] == "municipality_inactive"

        # Nothing in it is written; the operator reads it and activates it.
        patched = operator.patch(f"{V1}/municipalities/{b_id}", json={"retain_audit_years": 7})
        assert patched.status_code == 409
        assert patched.json()["code"] == "municipality_inactive"
        notice = operator.put(
            f"{V1}/municipalities/{b_id}/privacy-notice", json={"text": "Sjövik behandlar …"}
        )
        assert notice.status_code == 409
        assert _ok(operator.get(f"{V1}/municipalities/{b_id}"), 200)["active"] is False
        on = _ok(operator.post(f"{V1}/municipalities/{b_id}/activate"), 200)
        assert on["active"] is True
        assert operator.patch(
            f"{V1}/municipalities/{b_id}", json={"retain_audit_years": 7}
        ).is_success

    # Ended for good: the old session and token do not come back; a new sign-in works.
    with server.client(b_admin) as admin:
        assert admin.get(f"{V1}/auth/me").status_code == 401
    with server.client(service_token) as integration:
        assert integration.get(f"{V1}/integrations/embrace").status_code == 401
    again = anon.post(f"{V1}/auth/token", json={"email": B_ADMIN, "password": DEMO_PASSWORD})
    assert again.status_code == 201, again.text
    # The other municipality's people kept their sessions throughout.
    with server.client(both) as person:
        assert person.get(f"{V1}/groups").status_code == 200
    with server.database.session(write=False) as session:
        assert session.scalar(select(User.active).where(User.email_key == PEOPLE["admin"]))
