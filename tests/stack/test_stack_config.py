"""The launcher's settings and name handling, which need no running service."""

from __future__ import annotations

import socket
from dataclasses import replace
from pathlib import Path

import pytest

from stack.config import StackConfig
from stack.nginx import placeholders, render
from stack.services import Stack, StackError, resolve_names


def test_ports_and_dirs_come_from_murmur_stack_variables(tmp_path: Path) -> None:
    cfg = StackConfig.from_env(
        {
            "MURMUR_STACK_DIR": str(tmp_path / "s"),
            "MURMUR_STACK_MARIADB_PORT": "4406",
            "MURMUR_STACK_WEB_2_PORT": "9902",
        }
    )

    assert cfg.stack_dir == tmp_path / "s"
    assert cfg.ports.mariadb == 4406
    assert cfg.ports.web == (8001, 9902)
    assert cfg.ports.kafka == 9192


def test_default_ports_avoid_the_usual_ones() -> None:
    usual = {80, 443, 3306, 5432, 8000, 9000, 9092, 9093}
    assert not usual & set(StackConfig.from_env({}).ports.all().values())


def test_a_port_that_is_not_a_number_is_reported_by_name() -> None:
    with pytest.raises(ValueError, match="MURMUR_STACK_KAFKA_PORT must be a port number, got 'x'"):
        StackConfig.from_env({"MURMUR_STACK_KAFKA_PORT": "x"})


def test_start_refuses_a_port_taken_by_another_program(tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        cfg = StackConfig(stack_dir=tmp_path, port_wait_s=0.2)
        cfg = cfg.with_ports(replace(cfg.ports, nginx=taken.getsockname()[1]))
        with pytest.raises(StackError, match=r"nginx cannot start: port\(s\)"):
            Stack(cfg).start("nginx")
    finally:
        taken.close()


def test_unknown_service_name_is_rejected_with_the_known_ones() -> None:
    with pytest.raises(StackError, match="unknown service 'mysql'.*mariadb"):
        resolve_names(["mysql"])


def test_groups_expand_in_start_order() -> None:
    assert resolve_names(["nginx", "infra"]) == ["mariadb", "kafka", "s3", "nginx"]
    assert resolve_names(["minio", "encoder"]) == ["s3", "encoder-1", "encoder-2"]


def test_env_for_app_sets_only_variables_settings_reads(
    tmp_path: Path, settings_names: set[str]
) -> None:
    env = Stack(StackConfig(stack_dir=tmp_path)).env_for_app("web-2")

    assert set(env) <= settings_names
    assert env["MURMUR_REPLICA_ID"] == "web-2"
    assert env["MURMUR_DATA_DIR"] == str(tmp_path / "web-2")


def test_render_leaves_nginx_variables_and_fails_on_a_missing_value(tmp_path: Path) -> None:
    template = tmp_path / "t.conf"
    template.write_text("# ${NOT_THIS}\nlisten ${PORT};\nadd_header X $upstream_addr;\n")

    assert placeholders(template.read_text()) == {"PORT"}
    assert render({"PORT": "81"}, template) == (
        "# ${NOT_THIS}\nlisten 81;\nadd_header X $upstream_addr;\n"
    )
    with pytest.raises(KeyError, match=r"expects values for \['PORT'\]"):
        render({}, template)


def test_app_process_refuses_to_start_without_the_infrastructure(tmp_path: Path) -> None:
    stack = Stack(StackConfig(stack_dir=tmp_path))

    with pytest.raises(StackError, match="web-1 needs mariadb, kafka, s3 running first"):
        stack.up(only=["web-1"])
    assert stack.pid("web-1") is None
