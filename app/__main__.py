"""`python -m app`: run Murmur on the configured backends (embedded defaults out of the box)."""

from __future__ import annotations

import uvicorn

from app.logs import configure_logging
from app.settings import get_settings


def main() -> None:
    settings = get_settings()
    configure_logging()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.server.host,
        port=settings.server.port,
        proxy_headers=True,
        forwarded_allow_ips=settings.server.trusted_proxies,
        access_log=False,  # app.main logs one line per request itself
        log_config=None,
        ws_ping_interval=None,  # the app pings on its own schedule
    )


if __name__ == "__main__":
    main()
