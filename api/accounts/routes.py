from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.accounts import password_sign_in, platform, schemas, service, service_tokens, totp
from api.deps import ActorDep, SessionDep, SettingsDep
from api.errors import DomainError
from api.problems import domain_problem, problem_responses
from api.routing import add_list_route, add_resource_routes, all_shown, location, shown
from api.schemas_common import QueryId
from api.structure.schemas import MunicipalityRead

router = APIRouter()
PathId = Annotated[QueryId, Path()]


@router.post(
    "/auth/token",
    response_model=schemas.TokenRead,
    status_code=201,
    operation_id="sign_in",
    summary="Sign in with e-mail and password; answers a new bearer token",
    responses=problem_responses(400, 401, 422, 429, 503),
)
def sign_in(
    request: Request,
    body: schemas.SignIn,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> schemas.TokenRead | Response:
    outcome = service.sign_in(session, body.email, body.password, actor=actor, settings=settings)
    if isinstance(outcome, DomainError):
        # Returned, not raised: the failure's record is committed with the answer.
        return domain_problem(request, outcome)
    return totp.token_read(outcome, settings)


@router.delete(
    "/auth/token",
    status_code=204,
    operation_id="sign_out",
    summary="Sign out: the token used for this request stops working",
    responses=problem_responses(401, 403, 503),
)
def sign_out(session: SessionDep, actor: ActorDep) -> Response:
    service.sign_out(session, actor=actor)
    return Response(status_code=204)


@router.get(
    "/auth/me",
    response_model=schemas.Me,
    operation_id="get_me",
    summary="The signed-in person, their organisation and groups",
    responses=problem_responses(401, 403, 503),
)
def get_me(session: SessionDep, actor: ActorDep) -> schemas.Me:
    return service.me(session, actor=actor)


@router.patch(
    "/auth/me",
    response_model=schemas.Me,
    operation_id="update_me",
    summary="Change one's own choices: an e-mail when feedback arrives",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def update_me(body: schemas.MeUpdate, session: SessionDep, actor: ActorDep) -> schemas.Me:
    service.update_me(session, body, actor=actor)
    return service.me(session, actor=actor)


@router.put(
    "/auth/password",
    status_code=204,
    operation_id="change_password",
    summary="Change one's own password; one's other sessions end",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def change_password(body: schemas.PasswordChange, session: SessionDep, actor: ActorDep) -> Response:
    service.change_password(session, body, actor=actor)
    return Response(status_code=204)


# Two-factor sign-in (api.accounts.totp) ------------------------------------------------------


@router.get(
    "/auth/totp",
    response_model=schemas.TotpStatus,
    operation_id="get_totp",
    summary="Whether one has a second factor, must have one, and what this session still needs",
    responses=problem_responses(401, 403, 503),
)
def get_totp(session: SessionDep, actor: ActorDep) -> schemas.TotpStatus:
    return totp.status(session, actor=actor)


@router.post(
    "/auth/totp/enrol",
    response_model=schemas.TotpEnrolment,
    status_code=201,
    operation_id="start_totp_enrolment",
    summary="Start setting up TOTP: a new secret, its otpauth URI and QR code (shown once)",
    responses=problem_responses(401, 403, 409, 503),
)
def start_totp_enrolment(
    session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> schemas.TotpEnrolment:
    return totp.start_enrolment(session, actor=actor, settings=settings)


@router.post(
    "/auth/totp/confirm",
    response_model=schemas.TotpConfirmed,
    operation_id="confirm_totp_enrolment",
    summary="Turn TOTP on with a first code; answers the recovery codes (once)",
    responses=problem_responses(400, 401, 403, 409, 422, 503),
)
def confirm_totp_enrolment(
    body: schemas.TotpCode, session: SessionDep, actor: ActorDep, settings: SettingsDep
) -> schemas.TotpConfirmed:
    return totp.confirm_enrolment(session, body.code, actor=actor, settings=settings)


@router.post(
    "/auth/totp/verify",
    response_model=schemas.TokenRead,
    status_code=201,
    operation_id="verify_totp",
    summary="The second step of a sign-in: a code (or a recovery code) for a whole session",
    responses=problem_responses(400, 401, 403, 409, 422, 429, 503),
)
def verify_totp(
    request: Request,
    body: schemas.TotpCode,
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
) -> schemas.TokenRead | Response:
    outcome = totp.verify(session, body.code, actor=actor, settings=settings)
    if isinstance(outcome, DomainError):
        # Returned, not raised: the failure's record is committed with the answer.
        return domain_problem(request, outcome)
    return totp.token_read(outcome, settings)


@router.delete(
    "/auth/totp",
    status_code=204,
    operation_id="disable_totp",
    summary="Turn one's own second factor off, where one's role does not require it",
    responses=problem_responses(401, 403, 409, 503),
)
def disable_totp(session: SessionDep, actor: ActorDep) -> Response:
    totp.disable(session, actor=actor)
    return Response(status_code=204)


@router.delete(
    "/users/{user_id}/totp",
    status_code=204,
    operation_id="reset_user_totp",
    summary="Take away a user's second factor (a lost phone); their sessions end",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def reset_user_totp(user_id: PathId, session: SessionDep, actor: ActorDep) -> Response:
    totp.reset(session, user_id, actor=actor)
    return Response(status_code=204)


add_resource_routes(
    router,
    service.USERS,
    path="/users",
    noun="user",
    read=schemas.UserRead,
    create=schemas.UserCreate,
    update=schemas.UserUpdate,
    filters=schemas.UserFilter,
    create_with=service.create_user,
    update_with=service.update_user,
    activate_with=service.set_user_active,
)


@router.delete(
    "/users/{user_id}/sessions",
    response_model=schemas.EndedSessions,
    operation_id="end_user_sessions",
    summary="End every session of a user (they must sign in again)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def end_user_sessions(
    user_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.EndedSessions:
    return schemas.EndedSessions(ended=service.end_sessions(session, user_id, actor=actor))


@router.get(
    "/groups/{group_id}/memberships",
    response_model=list[schemas.MembershipRead],
    operation_id="list_group_memberships",
    summary="Who is in a group, with their roles",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def list_group_memberships(
    group_id: PathId,
    query: Annotated[schemas.MembershipFilter, Query()],
    session: SessionDep,
    actor: ActorDep,
) -> list[schemas.MembershipRead]:
    members = service.list_memberships(session, group_id, query, actor=actor)
    return all_shown(schemas.MembershipRead, members)


@router.put(
    "/groups/{group_id}/memberships/{user_id}",
    response_model=schemas.MembershipRead,
    operation_id="put_group_membership",
    summary="Give a user a role in a group (conveners for their own group, administrators)",
    responses={
        201: {"description": "The user was added to the group."},
        **problem_responses(400, 401, 403, 404, 409, 422, 503),
    },
)
def put_group_membership(
    group_id: PathId,
    user_id: PathId,
    body: schemas.MembershipPut,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.MembershipRead:
    membership, created = service.put_membership(session, group_id, user_id, body, actor=actor)
    if created:
        response.status_code = 201
    return shown(schemas.MembershipRead, membership)


@router.delete(
    "/groups/{group_id}/memberships/{user_id}",
    status_code=204,
    operation_id="remove_group_membership",
    summary="Take a user out of a group (nothing changes if they were not in it)",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def remove_group_membership(
    group_id: PathId, user_id: PathId, session: SessionDep, actor: ActorDep
) -> Response:
    service.remove_membership(session, group_id, user_id, actor=actor)
    return Response(status_code=204)


add_list_route(
    router,
    service_tokens.SERVICE_TOKENS,
    path="/service-tokens",
    read=schemas.ServiceTokenRead,
    filters=schemas.ServiceTokenFilter,
    summary="List service tokens (never the tokens themselves)",
)


@router.post(
    "/service-tokens",
    response_model=schemas.ServiceTokenCreated,
    status_code=201,
    operation_id="create_service_token",
    summary="Create a token for an integration; the token is shown in this answer only",
    responses=problem_responses(400, 401, 403, 422, 503),
)
def create_service_token(
    body: schemas.ServiceTokenCreate, session: SessionDep, actor: ActorDep
) -> schemas.ServiceTokenCreated:
    token, record = service_tokens.create_service_token(session, body, actor=actor)
    read = shown(schemas.ServiceTokenRead, record)
    return schemas.ServiceTokenCreated(**read.model_dump(), token=token)


@router.post(
    "/service-tokens/{token_id}/revoke",
    response_model=schemas.ServiceTokenRead,
    operation_id="revoke_service_token",
    summary="Revoke a service token at once",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def revoke_service_token(
    token_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.ServiceTokenRead:
    return shown(
        schemas.ServiceTokenRead,
        service_tokens.revoke_service_token(session, token_id, actor=actor),
    )


@router.get(
    "/integrations/{source}",
    response_model=schemas.IntegrationRead,
    operation_id="get_integration",
    summary="For a service token: its source, organisation and expiry",
    responses=problem_responses(401, 403, 422, 503),
)
def get_integration(
    source: Annotated[schemas.SourceName, Path()], session: SessionDep, actor: ActorDep
) -> schemas.IntegrationRead:
    return shown(schemas.IntegrationRead, service_tokens.integration(session, source, actor=actor))


# The platform (#21): a new municipality with its first administrator.


@router.post(
    "/platform/municipalities",
    response_model=schemas.MunicipalityEstablished,
    status_code=201,
    operation_id="establish_municipality",
    summary="A new municipality with its first administrator, who gets a one-time password",
    responses=problem_responses(400, 401, 403, 409, 422, 503),
)
def establish_municipality(
    body: schemas.MunicipalityEstablish, session: SessionDep, actor: ActorDep, response: Response
) -> schemas.MunicipalityEstablished:
    municipality, user, password = platform.establish_municipality(session, body, actor=actor)
    response.headers["Location"] = location(f"/municipalities/{municipality.id}")
    return schemas.MunicipalityEstablished(
        municipality=shown(MunicipalityRead, municipality),
        administrator_id=user.id,
        administrator_email=user.email,
        one_time_password=password,
    )


# Password sign-in turned off per municipality (#22), and its break-glass administrators.

PASSWORD_SIGN_IN = "/municipalities/{municipality_id}/password-sign-in"  # noqa: S105 (a path)


@router.get(
    PASSWORD_SIGN_IN,
    response_model=schemas.PasswordSignInRead,
    operation_id="get_password_sign_in",
    summary="Whether the municipality's people sign in with a password; its break-glass admins",
    responses=problem_responses(401, 403, 404, 422, 503),
)
def get_password_sign_in(
    municipality_id: PathId, session: SessionDep, actor: ActorDep
) -> schemas.PasswordSignInRead:
    return password_sign_in.get_settings(session, municipality_id, actor=actor)


@router.put(
    PASSWORD_SIGN_IN,
    response_model=schemas.PasswordSignInRead,
    operation_id="set_password_sign_in",
    summary="Turn password sign-in off (break-glass administrators aside) or on again",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def set_password_sign_in(
    municipality_id: PathId,
    body: schemas.PasswordSignInWrite,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.PasswordSignInRead:
    return password_sign_in.put_settings(session, municipality_id, body, actor=actor)


@router.put(
    PASSWORD_SIGN_IN + "/break-glass/{user_id}",
    response_model=schemas.BreakGlassAdmin,
    operation_id="set_break_glass",
    summary="Mark an administrator break-glass: keeps password sign-in with a second factor",
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
)
def set_break_glass(
    municipality_id: PathId,
    user_id: PathId,
    body: schemas.BreakGlassWrite,
    session: SessionDep,
    actor: ActorDep,
) -> schemas.BreakGlassAdmin:
    return password_sign_in.mark_break_glass(session, municipality_id, user_id, body, actor=actor)
