"""docker-compose.yml cannot run here (no Docker engine), so it is checked for consistency:
with itself, with app/settings.py, with nginx/nginx.conf and with the native launcher.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from stack import nginx
from stack.config import StackConfig
from stack.services import Stack

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_PATH = REPO_ROOT / "docker-compose.yml"
APP_SERVICES = ("app1", "app2")
APP_BASED = ("migrate", "app1", "app2", "encoder")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_PATH.read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return dict(compose["services"])


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def envsubst_names(nginx_service: dict[str, Any]) -> set[str]:
    script = " ".join(str(part) for part in nginx_service["entrypoint"])
    listed = re.search(r"envsubst '([^']*)'", script)
    assert listed, f"expected an envsubst call with a quoted list of names in: {script}"
    return set(re.findall(r"\$\$\{([A-Z0-9_]+)\}", listed.group(1)))


def test_settings_parser_finds_the_known_names(settings_names: set[str]) -> None:
    names = settings_names
    assert {"MURMUR_DATABASE_URL", "MURMUR_KAFKA_BOOTSTRAP", "MURMUR_S3_ENDPOINT"} <= names


def test_every_depends_on_names_a_service_and_a_valid_condition(
    services: dict[str, Any],
) -> None:
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown service {dependency}"
            condition = rule["condition"]
            assert condition in {"service_healthy", "service_completed_successfully"}
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], (
                    f"{name} waits for {dependency} to be healthy, which has no healthcheck"
                )


def test_every_murmur_variable_set_is_read_by_settings(
    services: dict[str, Any], settings_names: set[str]
) -> None:
    known = settings_names
    for name, service in services.items():
        unknown = {k for k in environment(service) if k.startswith("MURMUR_")} - known
        assert not unknown, f"{name} sets {sorted(unknown)}, which app/settings.py never reads"


def test_app_containers_get_the_same_variables_as_native_replicas(
    services: dict[str, Any], tmp_path: Path
) -> None:
    native = set(Stack(StackConfig(stack_dir=tmp_path)).env_for_app("web-1"))
    for name in APP_BASED:
        missing = native - set(environment(services[name]))
        assert not missing, f"{name} lacks {sorted(missing)}, which the native launcher sets"


def test_app_containers_point_at_the_compose_services(services: dict[str, Any]) -> None:
    mysql = environment(services["mysql"])
    minio = environment(services["minio"])
    kafka = environment(services["kafka"])

    for name in APP_BASED:
        env = environment(services[name])
        user, password, db = mysql["MYSQL_USER"], mysql["MYSQL_PASSWORD"], mysql["MYSQL_DATABASE"]
        assert env["MURMUR_DATABASE_URL"] == f"mysql://{user}:{password}@mysql:3306/{db}"
        assert env["MURMUR_S3_ENDPOINT"] == "http://minio:9000"
        assert env["MURMUR_S3_ACCESS_KEY"] == minio["MINIO_ROOT_USER"]
        assert env["MURMUR_S3_SECRET_KEY"] == minio["MINIO_ROOT_PASSWORD"]
        assert f"PLAINTEXT://{env['MURMUR_KAFKA_BOOTSTRAP']}" in kafka["KAFKA_ADVERTISED_LISTENERS"]
        assert env["MURMUR_BUS_BACKEND"] == "kafka"
        assert env["MURMUR_STORAGE_BACKEND"] == "s3"
        assert env["MURMUR_ENCODER_INLINE"] == "0"


def test_web_replicas_have_distinct_ids_and_serve_the_port_nginx_uses(
    services: dict[str, Any],
) -> None:
    ids = [environment(services[name])["MURMUR_REPLICA_ID"] for name in APP_SERVICES]
    assert len(set(ids)) == len(ids)

    nginx_env = environment(services["nginx"])
    for index, name in enumerate(APP_SERVICES, start=1):
        host, port = nginx_env[f"WEB_{index}_ADDR"].split(":")
        assert host == name
        command = [str(part) for part in services[name]["command"]]
        assert command[command.index("--port") + 1] == port
        assert "--proxy-headers" in command


def test_rendered_upstreams_are_the_compose_replicas(services: dict[str, Any]) -> None:
    conf = nginx.render(environment(services["nginx"]))

    upstream = re.search(r"upstream murmur_web \{(.*?)\}", conf, re.S)
    assert upstream, "nginx.conf has no murmur_web upstream"
    servers = re.findall(r"^\s*server\s+(\S+)", upstream.group(1), re.M)
    assert servers == [f"{name}:8000" for name in APP_SERVICES]
    assert "hash $cookie_murmur_session consistent;" in upstream.group(1)
    assert "http://murmur_s3/murmur-media/" in conf


def test_envsubst_list_matches_the_template_and_the_environment(
    services: dict[str, Any],
) -> None:
    template_names = nginx.placeholders(nginx.TEMPLATE.read_text())
    service = services["nginx"]

    assert envsubst_names(service) == template_names
    assert template_names <= set(environment(service))
    mounts = [str(v) for v in service["volumes"]]
    assert "./nginx/nginx.conf:/etc/murmur/nginx.conf.template:ro" in mounts


@pytest.mark.skipif(shutil.which("envsubst") is None, reason="envsubst is not installed")
def test_envsubst_fills_the_template_exactly_as_the_launcher_does(
    services: dict[str, Any],
) -> None:
    values = environment(services["nginx"])
    names = " ".join(f"${{{name}}}" for name in sorted(envsubst_names(services["nginx"])))

    result = subprocess.run(
        ["envsubst", names],
        input=nginx.TEMPLATE.read_text(),
        env=values,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout == nginx.render(values)
    assert "$upstream_addr" in result.stdout and "$cookie_murmur_session" in result.stdout


def test_nginx_trusts_forwarded_headers_only_from_its_own_address(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    nginx_ip = services["nginx"]["networks"]["murmur"]["ipv4_address"]
    for name in APP_SERVICES:
        command = [str(part) for part in services[name]["command"]]
        assert command[command.index("--forwarded-allow-ips") + 1] == nginx_ip
        assert environment(services[name])["MURMUR_TRUSTED_PROXIES"] == nginx_ip


def test_images_are_pinned(services: dict[str, Any]) -> None:
    for name, service in services.items():
        image = service.get("image")
        if image is None or "build" in service:
            continue
        tag = image.rsplit(":", 1)[-1] if ":" in image.split("/")[-1] else ""
        assert tag and tag != "latest", f"{name} uses unpinned image {image}"
    assert services["kafka"]["image"].startswith("apache/kafka:4.")


def test_kafka_matches_the_native_broker_settings(services: dict[str, Any]) -> None:
    env = environment(services["kafka"])

    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "1"
    assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "1"
    assert env["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] == "0"


def test_mysql_defaults_to_utf8mb4(services: dict[str, Any]) -> None:
    command = services["mysql"]["command"]
    assert "--character-set-server=utf8mb4" in command
    assert "--collation-server=utf8mb4_unicode_ci" in command


def test_encoder_scales_without_fixed_names_or_host_ports(services: dict[str, Any]) -> None:
    encoder = services["encoder"]
    assert "container_name" not in encoder
    assert "ports" not in encoder
    assert environment(encoder)["MURMUR_ENCODER_HEALTH_PORT"] in str(encoder["healthcheck"])


def test_dockerfile_builds_python_311_with_ffmpeg_and_the_locked_dependencies() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()

    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    assert "ffmpeg" in dockerfile
    assert "uv sync --frozen" in dockerfile
    assert re.search(r"uv==\d+\.\d+\.\d+", dockerfile)


def test_dockerfile_copies_every_package_the_app_runs_from() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) \./", dockerfile, re.M))
    not_in_image = {"stack", "tests", "bench", ".venv"}

    packages = {
        path.parent.name
        for path in REPO_ROOT.glob("*/__init__.py")
        if path.parent.name not in not_in_image
    }
    assert packages <= copied, f"the image lacks {sorted(packages - copied)}"
    assert "frontend" in copied
