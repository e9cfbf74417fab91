"""Fixtures for the launcher's tests: a private stack on ports nobody else uses.

The tests never touch the default stack (var/stack, ports 3307, 9192, ...) that developers
and other test suites run; they start their own in a temporary folder on a free block of
ports and stop it at the end.
"""

from __future__ import annotations

import ast
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from stack.config import Ports, StackConfig  # noqa: E402
from stack.health import port_free  # noqa: E402
from stack.services import INFRA, Stack  # noqa: E402

_BLOCK = 18


def free_port_block(size: int = _BLOCK) -> int:
    """First port of `size` consecutive free ports on 127.0.0.1."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 40000 - size)
        if all(port_free("127.0.0.1", base + i) for i in range(size)):
            return base
    raise RuntimeError(f"found no {size} consecutive free ports between 20000 and 40000")


def ports_from(base: int) -> Ports:
    return Ports(
        mariadb=base,
        kafka=base + 1,
        kafka_controller=base + 2,
        s3=base + 3,
        web=(base + 4, base + 5),
        encoder_health=(base + 6, base + 7),
        nginx=base + 8,
        s3_internal=base + 9,
    )


@pytest.fixture(scope="session")
def settings_names() -> set[str]:
    """Every MURMUR_ name app/settings.py reads, from its _env*("NAME", ...) calls."""
    tree = ast.parse((REPO_ROOT / "app" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"_env", "_env_int", "_env_bool"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(f"MURMUR_{node.args[0].value}")
    return names


@pytest.fixture(scope="session")
def stack_config(tmp_path_factory: pytest.TempPathFactory) -> StackConfig:
    return StackConfig(
        stack_dir=tmp_path_factory.mktemp("stack"),
        ports=ports_from(free_port_block()),
        stop_timeout_s=20.0,
    )


@pytest.fixture(scope="session")
def private_stack(stack_config: StackConfig) -> Iterator[Stack]:
    """A Stack whose services are all stopped when the session ends."""
    stack = Stack(stack_config)
    yield stack
    stack.down()


@pytest.fixture
def infra(private_stack: Stack) -> Stack:
    """MariaDB, Kafka and the S3 server running and healthy (started once, then reused)."""
    private_stack.up(only=INFRA)
    return private_stack
