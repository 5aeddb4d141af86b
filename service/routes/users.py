"""Users and tokens (admin only), and ``/v1/me`` for anyone."""

from __future__ import annotations

from fastapi import APIRouter, status

from calltone.service.deps import AdminUser, CurrentUser, StoreDep
from calltone.service.routes.schemas import (
    CreatedUserOut,
    RevokedOut,
    RevokeIn,
    TokenOut,
    UserIn,
    UserOut,
)

router = APIRouter(prefix="/v1", tags=["users"])


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> object:
    return user.to_dict()


@router.get("/users", response_model=list[UserOut])
def list_users(_: AdminUser, store: StoreDep) -> object:
    return [u.to_dict() for u in store.list_users()]


@router.post("/users", response_model=CreatedUserOut, status_code=status.HTTP_201_CREATED)
def add_user(body: UserIn, _: AdminUser, store: StoreDep) -> object:
    return store.create_user(body.name, body.role).to_dict()


@router.delete("/users/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(name: str, _: AdminUser, store: StoreDep) -> None:
    store.delete_user(name)


@router.post("/users/{name}/tokens", response_model=TokenOut, status_code=status.HTTP_201_CREATED)
def issue_token(name: str, _: AdminUser, store: StoreDep) -> object:
    return {"token": store.issue_token(name)}


@router.post("/tokens/revoke", response_model=RevokedOut)
def revoke_token(body: RevokeIn, _: AdminUser, store: StoreDep) -> object:
    return {"revoked": store.revoke_token(body.token)}
