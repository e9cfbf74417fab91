"""Sign-up, log-in, sessions and CSRF on the embedded server."""

from __future__ import annotations

import httpx

from tests.murmur_client import PASSWORD, MurmurClient


async def test_sign_up_rejects_bad_usernames_and_short_passwords(make_client) -> None:
    client: MurmurClient = await make_client(sign_up=False)
    headers = await client.headers()
    for username in ["ab", "Has Space", "x" * 31, "émile", "UPPER"]:
        response = await client.http.post(
            "/api/v1/users", json={"username": username, "password": PASSWORD}, headers=headers
        )
        assert response.status_code == 400, username
        assert "3 to 30 characters" in response.json()["detail"]

    response = await client.http.post(
        "/api/v1/users", json={"username": "good_name_1", "password": "short"}, headers=headers
    )
    assert response.status_code == 400
    assert "at least 8 characters" in response.json()["detail"]


async def test_usernames_are_unique_ignoring_case(make_client) -> None:
    first: MurmurClient = await make_client(sign_up=False)
    await first.sign_up("casey_1")
    second: MurmurClient = await make_client(sign_up=False)
    response = await second.http.post(
        "/api/v1/users",
        json={"username": "casey_1", "password": PASSWORD},
        headers=await second.headers(),
    )
    assert response.status_code == 409
    # The form lower-cases nothing: an upper-case variant is refused by the pattern, and the
    # log-in matches case-insensitively.
    response = await second.http.post(
        "/api/v1/session",
        json={"username": "CASEY_1", "password": PASSWORD},
        headers=await second.headers(),
    )
    assert response.status_code == 201


async def test_form_log_in_with_wrong_password_shows_a_clear_message(make_client) -> None:
    user: MurmurClient = await make_client()
    visitor: MurmurClient = await make_client(sign_up=False)
    token = await visitor.csrf()
    response = await visitor.http.post(
        "/login",
        data={"username": user.username, "password": "wrong password", "_csrf_token": token},
    )
    assert response.status_code == 401
    assert "do not match an account" in response.text
    assert "murmur_session" not in response.cookies


async def test_form_sign_up_log_out_and_log_in_again(make_client) -> None:
    client: MurmurClient = await make_client(sign_up=False)
    token = await client.csrf()
    response = await client.http.post(
        "/signup", data={"username": "form_user_9", "password": PASSWORD, "_csrf_token": token}
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")

    assert (await client.http.get("/")).status_code == 200
    response = await client.http.post("/logout", data={"_csrf_token": await client.csrf()})
    assert response.status_code == 303
    assert (await client.http.get("/")).headers["location"] == "/login"

    response = await client.http.post(
        "/login",
        data={"username": "form_user_9", "password": PASSWORD, "_csrf_token": await client.csrf()},
    )
    assert response.status_code == 303
    assert (await client.http.get("/")).status_code == 200


async def test_pages_and_api_need_a_session(embedded_server) -> None:
    async with httpx.AsyncClient(base_url=embedded_server.base_url) as anonymous:
        assert (await anonymous.get("/")).headers["location"] == "/login"
        assert (await anonymous.get("/posts/1")).headers["location"] == "/login"
        for path in ["/api/v1/posts", "/api/v1/posts/1", "/api/v1/session"]:
            response = await anonymous.get(path)
            assert response.status_code == 401, path
            assert response.json()["detail"] == "Log in to continue."


async def test_request_without_csrf_token_is_refused(make_client) -> None:
    client: MurmurClient = await make_client()
    response = await client.http.post("/api/v1/posts", json={"text": "no token"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]

    response = await client.http.post(
        "/api/v1/posts", json={"text": "wrong token"}, headers={"X-CSRF-Token": "forged"}
    )
    assert response.status_code == 403

    response = await client.http.post("/logout", data={})
    assert response.status_code == 403
    assert (await client.http.get("/api/v1/session")).status_code == 200


async def test_forwarded_https_from_the_proxy_marks_the_session_cookie_secure(make_client) -> None:
    client: MurmurClient = await make_client(sign_up=False)
    headers = {
        **await client.headers(),
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
    }
    response = await client.http.post(
        "/api/v1/users", json={"username": "tls_user_1", "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 201
    assert "Secure" in response.headers["set-cookie"]

    plain = await make_client(sign_up=False)
    response = await plain.http.post(
        "/api/v1/users",
        json={"username": "plain_user_1", "password": PASSWORD},
        headers=await plain.headers(),
    )
    assert "Secure" not in response.headers["set-cookie"]
