"""The native launcher against the real services: MariaDB, Kafka, the S3 server, Nginx."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import asyncmy
import boto3
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from stack.config import StackConfig
from stack.process import is_running, read_pid
from stack.services import INFRA, SERVICE_ORDER, Stack

pytestmark = pytest.mark.stack

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_up_infra_reports_each_service_healthy_with_pid_and_log(infra: Stack) -> None:
    states = infra.up(only=["infra"])

    assert [s.name for s in states] == list(INFRA)
    for state in states:
        assert state.healthy, f"{state.name} is {state.state}"
        assert state.pid is not None
        assert state.address == f"127.0.0.1:{infra.service(state.name).port}"
        assert state.log_path.exists()


async def test_mariadb_answers_app_user_with_utf8mb4_defaults(infra: Stack) -> None:
    host, port = infra.address("mariadb").split(":")
    conn = await asyncmy.connect(
        host=host, port=int(port), user="murmur", password="murmur", database="murmur"
    )
    try:
        async with conn.cursor() as cur:
            await cur.execute(
                "SELECT @@character_set_server, @@collation_server, "
                "@@character_set_database, @@collation_database"
            )
            assert await cur.fetchone() == (
                "utf8mb4",
                "utf8mb4_unicode_ci",
                "utf8mb4",
                "utf8mb4_unicode_ci",
            )

            # A table created without a charset keeps 4-byte characters intact.
            table = f"t_{uuid.uuid4().hex[:8]}"
            await cur.execute(f"CREATE TABLE {table} (body VARCHAR(20))")
            await cur.execute(f"INSERT INTO {table} VALUES (%s)", ("hi 🐦‍🔥",))
            await cur.execute(f"SELECT body FROM {table}")
            assert await cur.fetchone() == ("hi 🐦‍🔥",)
            await cur.execute(f"DROP TABLE {table}")
    finally:
        conn.close()


async def test_kafka_answers_metadata_and_does_not_create_topics_itself(infra: Stack) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.address("kafka"))
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        assert [b["host"] for b in cluster["brokers"]] == ["127.0.0.1"]

        broker = str(cluster["controller_id"])
        wanted = {"auto.create.topics.enable": None}
        response = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.BROKER, broker, configs=wanted)]
        )
        resource = response[0].to_object()["resources"][0]
        entries = {e["config_names"]: e["config_value"] for e in resource["config_entries"]}
        assert entries["auto.create.topics.enable"] == "false"

        topic = f"stack-test-{uuid.uuid4().hex[:8]}"
        await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
        assert topic in await admin.list_topics()
    finally:
        await admin.close()


def test_s3_server_is_live_and_honours_a_public_read_bucket_policy(infra: Stack) -> None:
    url = infra.url("s3")
    with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
        assert response.status == 200

    access_key, secret_key = infra.s3_credentials()
    s3 = boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name="us-east-1",
    )
    bucket = f"murmur-test-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"hello", ContentType="text/plain")
    assert _status(f"{url}/{bucket}/a.txt") == 403

    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    assert _status(f"{url}/{bucket}/a.txt") == 200
    assert _status(f"{url}/{bucket}/") == 403, "anonymous listing must stay forbidden"


def test_second_up_reuses_the_running_processes(infra: Stack) -> None:
    before = {name: infra.pid(name) for name in INFRA}

    infra.up(only=["mariadb", "kafka", "minio"])

    assert {name: infra.pid(name) for name in INFRA} == before


def test_killed_service_is_detected_and_started_again(infra: Stack) -> None:
    old_pid = infra.pid("s3")

    infra.kill("s3", signal.SIGKILL)
    assert not infra.is_running("s3")
    assert not infra.is_healthy("s3")

    state = infra.start("s3")
    assert state.healthy
    assert state.pid not in (None, old_pid)


def test_env_for_app_points_at_this_stacks_services(infra: Stack) -> None:
    env = infra.env_for_app(replica_id="web-1")
    ports = infra.cfg.ports

    assert env["MURMUR_DATABASE_URL"] == f"mysql://murmur:murmur@127.0.0.1:{ports.mariadb}/murmur"
    assert env["MURMUR_KAFKA_BOOTSTRAP"] == f"127.0.0.1:{ports.kafka}"
    assert env["MURMUR_S3_ENDPOINT"] == f"http://127.0.0.1:{ports.s3}"
    assert env["MURMUR_BUS_BACKEND"] == "kafka"
    assert env["MURMUR_STORAGE_BACKEND"] == "s3"
    assert env["MURMUR_ENCODER_INLINE"] == "0"


def test_generated_nginx_conf_passes_nginx_t(private_stack: Stack) -> None:
    result = private_stack.check_nginx_config()

    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_cli_status_prints_one_line_per_service(stack_config: StackConfig) -> None:
    env = {**os.environ, **_stack_env(stack_config)}

    result = subprocess.run(
        [sys.executable, "-m", "stack", "status"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split()[:4] == ["SERVICE", "ADDRESS", "PID", "STATE"]
    assert [line.split()[0] for line in lines[1:]] == list(SERVICE_ORDER)


@pytest.mark.skipif(
    not (REPO_ROOT / "app" / "main.py").exists()
    or not (REPO_ROOT / "encoder" / "__main__.py").exists(),
    reason="the app or the encoder is not written yet",
)
def test_whole_topology_serves_the_app_through_nginx_and_survives_a_killed_encoder(
    infra: Stack,
) -> None:
    states = infra.up()

    assert all(s.healthy for s in states), [(s.name, s.state) for s in states]
    with urllib.request.urlopen(f"{infra.url('nginx')}/readyz", timeout=10) as response:
        assert response.status == 200
        assert response.headers["X-Upstream"] in {infra.address("web-1"), infra.address("web-2")}

    old_pid = infra.pid("encoder-2")
    infra.kill("encoder-2", signal.SIGKILL)
    assert not infra.is_healthy("encoder-2")
    assert infra.up(only=["encoder"])[1].pid not in (None, old_pid)


def test_down_leaves_no_process_behind(private_stack: Stack) -> None:
    private_stack.up(only=INFRA)
    records = [read_pid(private_stack.cfg.pid_path(name)) for name in INFRA]
    assert all(records)

    private_stack.down()

    assert not any(is_running(r) for r in records if r is not None)
    assert all(private_stack.pid(name) is None for name in SERVICE_ORDER)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _stack_env(cfg: StackConfig) -> dict[str, str]:
    p = cfg.ports
    return {
        "MURMUR_STACK_DIR": str(cfg.stack_dir),
        "MURMUR_STACK_MARIADB_PORT": str(p.mariadb),
        "MURMUR_STACK_KAFKA_PORT": str(p.kafka),
        "MURMUR_STACK_KAFKA_CONTROLLER_PORT": str(p.kafka_controller),
        "MURMUR_STACK_S3_PORT": str(p.s3),
        "MURMUR_STACK_S3_INTERNAL_PORT": str(p.s3_internal),
        "MURMUR_STACK_WEB_1_PORT": str(p.web[0]),
        "MURMUR_STACK_WEB_2_PORT": str(p.web[1]),
        "MURMUR_STACK_ENCODER_1_PORT": str(p.encoder_health[0]),
        "MURMUR_STACK_ENCODER_2_PORT": str(p.encoder_health[1]),
        "MURMUR_STACK_NGINX_PORT": str(p.nginx),
    }
