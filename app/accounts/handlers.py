"""Sign-up, log-in and log-out: the pages and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from app.accounts import service
from app.accounts.models import User
from app.accounts.sessions import SESSION_COOKIE, expired_session_cookie, session_cookie
from app.errors import DomainError
from app.pages import csrf_token_of, page_context


@dataclass
class Credentials:
    username: str
    password: str


FormCredentials = Annotated[Credentials, Body(media_type=RequestEncodingType.URL_ENCODED)]


class AccountPages(Controller):
    include_in_schema = False

    @get("/login", name="login-page")
    async def login_page(self, request: Request, maybe_viewer: User | None) -> Template | Redirect:
        if maybe_viewer is not None:
            return Redirect("/")
        return Template(
            "auth/login.html", context=await page_context(request, None, error=None, username="")
        )

    @post("/login", name="login", status_code=303)
    async def login(
        self, request: Request, data: FormCredentials, secure_cookies: bool
    ) -> Response[Any]:
        try:
            user = await service.authenticate(data.username, data.password)
        except DomainError as exc:
            context = await page_context(request, None, error=exc.message, username=data.username)
            return Template("auth/login.html", context=context, status_code=exc.status_code)
        return await _logged_in_redirect(user, secure_cookies)

    @get("/signup", name="signup-page")
    async def signup_page(self, request: Request, maybe_viewer: User | None) -> Template | Redirect:
        if maybe_viewer is not None:
            return Redirect("/")
        return Template(
            "auth/signup.html", context=await page_context(request, None, error=None, username="")
        )

    @post("/signup", name="signup", status_code=303)
    async def signup(
        self, request: Request, data: FormCredentials, secure_cookies: bool
    ) -> Response[Any]:
        try:
            user = await service.sign_up(data.username, data.password)
        except DomainError as exc:
            context = await page_context(request, None, error=exc.message, username=data.username)
            return Template("auth/signup.html", context=context, status_code=exc.status_code)
        return await _logged_in_redirect(user, secure_cookies)

    @post("/logout", name="logout", status_code=303)
    async def logout(self, request: Request, secure_cookies: bool) -> Redirect:
        await service.close_session(request.cookies.get(SESSION_COOKIE))
        return Redirect(
            "/login",
            status_code=303,
            cookies=[expired_session_cookie(secure_cookies)],
        )


async def _logged_in_redirect(user: User, secure_cookies: bool) -> Redirect:
    token = await service.open_session(user)
    return Redirect("/", status_code=303, cookies=[session_cookie(token, secure_cookies)])


@dataclass
class CsrfOut:
    token: str
    header: str


@dataclass
class UserOut:
    id: int
    username: str
    display_name: str


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id, username=user.username, display_name=user.display_name or user.username
    )


class AccountApi(Controller):
    path = "/api/v1"
    tags = ["accounts"]

    @post("/users", status_code=HTTP_201_CREATED, summary="Sign up and start a session")
    async def sign_up(self, data: Credentials, secure_cookies: bool) -> Response[UserOut]:
        user = await service.sign_up(data.username, data.password)
        token = await service.open_session(user)
        return Response(
            user_out(user),
            status_code=HTTP_201_CREATED,
            cookies=[session_cookie(token, secure_cookies)],
        )

    @post("/session", status_code=HTTP_201_CREATED, summary="Log in")
    async def log_in(self, data: Credentials, secure_cookies: bool) -> Response[UserOut]:
        user = await service.authenticate(data.username, data.password)
        token = await service.open_session(user)
        return Response(
            user_out(user),
            status_code=HTTP_201_CREATED,
            cookies=[session_cookie(token, secure_cookies)],
        )

    @get("/csrf", summary="A token for the X-CSRF-Token header of every unsafe request")
    async def csrf(self, request: Request) -> CsrfOut:
        return CsrfOut(token=csrf_token_of(request), header="X-CSRF-Token")

    @get("/session", summary="The logged-in user")
    async def whoami(self, viewer: User) -> UserOut:
        return user_out(viewer)

    @delete("/session", status_code=HTTP_204_NO_CONTENT, summary="Log out")
    async def log_out(self, request: Request, secure_cookies: bool) -> Response[None]:
        await service.close_session(request.cookies.get(SESSION_COOKIE))
        return Response(
            None,
            status_code=HTTP_204_NO_CONTENT,
            cookies=[expired_session_cookie(secure_cookies)],
        )
