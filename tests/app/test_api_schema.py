"""The JSON API is described by the OpenAPI schema Litestar generates."""

from __future__ import annotations

import httpx


async def test_openapi_schema_lists_every_api_action(embedded_server) -> None:
    async with httpx.AsyncClient(base_url=embedded_server.base_url) as client:
        schema = (await client.get("/api/schema/openapi.json")).json()

    paths = schema["paths"]
    assert {"post", "get", "delete"} <= set(paths["/api/v1/session"])
    assert {"get", "post"} <= set(paths["/api/v1/posts"])
    assert {"get", "delete"} <= set(paths["/api/v1/posts/{post_id}"])
    assert "post" in paths["/api/v1/uploads"] and "post" in paths["/api/v1/users"]
    assert not [p for p in paths if not p.startswith("/api/")], "pages leaked into the API schema"


async def test_no_page_of_the_api_docs_loads_anything_from_other_sites(embedded_server) -> None:
    async with httpx.AsyncClient(base_url=embedded_server.base_url) as client:
        response = await client.get("/api/schema")
    assert "cdn." not in response.text and "googleapis" not in response.text
