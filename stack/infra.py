"""The infrastructure services: MariaDB, a single-node Kafka and the S3 server."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import signal
import subprocess
import textwrap
from pathlib import Path

from stack import health, install, process
from stack.service import (
    DATABASE,
    DB_PASSWORD,
    DB_USER,
    HOST,
    Service,
    StackError,
    s3_credentials,
)

logger = logging.getLogger(__name__)

_MAX_SOCKET_PATH = 107


class MariaDB(Service):
    name = "mariadb"

    @property
    def port(self) -> int:
        return self.cfg.ports.mariadb

    @property
    def socket_path(self) -> Path:
        return self.home / "mysqld.sock"

    @property
    def datadir(self) -> Path:
        return self.home / "data"

    def prepare(self) -> None:
        if len(str(self.socket_path)) > _MAX_SOCKET_PATH:
            raise StackError(
                f"MariaDB's socket path {self.socket_path} is longer than the "
                f"{_MAX_SOCKET_PATH} characters a Unix socket allows; "
                "choose a shorter MURMUR_STACK_DIR"
            )
        install.ensure_debian_packages(["mariadb-server"])
        (self.home / "tmp").mkdir(parents=True, exist_ok=True)
        if (self.datadir / "mysql").is_dir():
            return

        logger.info("initialising MariaDB data directory %s", self.datadir)
        result = subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *self._user_flag(),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(
                f"mariadb-install-db failed with exit code {result.returncode}:\n"
                f"{(result.stdout + result.stderr)[-3000:]}"
            )

    def command(self) -> list[str]:
        return [
            "mariadbd",
            "--no-defaults",
            f"--datadir={self.datadir}",
            f"--socket={self.socket_path}",
            f"--port={self.port}",
            f"--bind-address={HOST}",
            f"--log-error={self.log_path}",
            f"--pid-file={self.home / 'mariadbd.pid'}",
            f"--tmpdir={self.home / 'tmp'}",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            "--skip-name-resolve",
            "--max-connections=500",
            *self._user_flag(),
        ]

    def is_healthy(self) -> bool:
        return health.mariadb_query(self.socket_path, "SELECT 1") == "1\n"

    def after_healthy(self) -> None:
        # murmur_% databases are for test suites that want one database each.
        sql = f"""
            CREATE DATABASE IF NOT EXISTS `{DATABASE}`
                CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
            CREATE USER IF NOT EXISTS '{DB_USER}'@'%' IDENTIFIED BY '{DB_PASSWORD}';
            GRANT ALL PRIVILEGES ON `{DATABASE}`.* TO '{DB_USER}'@'%';
            GRANT ALL PRIVILEGES ON `{DATABASE}\\_%`.* TO '{DB_USER}'@'%';
        """
        if health.mariadb_query(self.socket_path, sql) is None:
            raise StackError(
                f"could not create database {DATABASE!r} and user {DB_USER!r} "
                f"over {self.socket_path}; see {self.log_path}"
            )

    def request_stop(self, record: process.PidRecord) -> None:
        result = subprocess.run(
            [
                "mysqladmin",
                "--no-defaults",
                f"--socket={self.socket_path}",
                "--user=root",
                "shutdown",
            ],
            capture_output=True,
            text=True,
            timeout=self.cfg.stop_timeout_s,
            check=False,
        )
        if result.returncode != 0:
            logger.warning("mysqladmin shutdown failed (%s); sending SIGTERM", result.stderr)
            process.send(record, signal.SIGTERM)

    def _user_flag(self) -> list[str]:
        # mariadbd refuses to run as root unless told to; the datadir is then root's.
        return ["--user=root"] if os.geteuid() == 0 else []


class Kafka(Service):
    name = "kafka"
    node_id = 1

    @property
    def port(self) -> int:
        return self.cfg.ports.kafka

    def ports(self) -> list[int]:
        return [self.cfg.ports.kafka, self.cfg.ports.kafka_controller]

    @property
    def datadir(self) -> Path:
        return self.home / "data"

    def prepare(self) -> None:
        for tool, package in (("java", "openjdk-17-jre-headless"), ("mvn", "maven")):
            if shutil.which(tool) is None:
                install.ensure_debian_packages([package])
        install.ensure_kafka(self.cfg)

        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "server.properties").write_text(self._server_properties())
        (self.home / "log4j2.xml").write_text(_KAFKA_LOG4J2)
        if not (self.datadir / "meta.properties").exists():
            self._format_storage()

    def command(self) -> list[str]:
        return [
            "java",
            "-Xms256m",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.home / 'log4j2.xml'}",
            f"-Dkafka.logs.dir={self.home / 'logs'}",
            "-cp",
            install.kafka_dist(self.cfg).classpath,
            "kafka.Kafka",
            str(self.home / "server.properties"),
        ]

    def is_healthy(self) -> bool:
        return health.kafka_metadata(self.address)

    def _server_properties(self) -> str:
        ports = self.cfg.ports
        # One broker: every internal topic has a single replica, and a new consumer
        # group starts at once instead of waiting for more members.
        return textwrap.dedent(f"""\
            process.roles=broker,controller
            node.id={self.node_id}
            controller.quorum.voters={self.node_id}@{HOST}:{ports.kafka_controller}
            listeners=PLAINTEXT://{HOST}:{ports.kafka},CONTROLLER://{HOST}:{ports.kafka_controller}
            advertised.listeners=PLAINTEXT://{HOST}:{ports.kafka}
            controller.listener.names=CONTROLLER
            inter.broker.listener.name=PLAINTEXT
            listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
            log.dirs={self.datadir}
            auto.create.topics.enable=false
            num.partitions=1
            default.replication.factor=1
            min.insync.replicas=1
            offsets.topic.replication.factor=1
            offsets.topic.num.partitions=10
            transaction.state.log.replication.factor=1
            transaction.state.log.min.isr=1
            transaction.state.log.num.partitions=10
            share.coordinator.state.topic.replication.factor=1
            share.coordinator.state.topic.min.isr=1
            group.initial.rebalance.delay.ms=0
            log.retention.hours=168
            """)

    def _format_storage(self) -> None:
        cluster_id = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
        logger.info("formatting Kafka storage %s as cluster %s", self.datadir, cluster_id)
        result = subprocess.run(
            [
                "java",
                f"-Dlog4j2.configurationFile={self.home / 'log4j2.xml'}",
                "-cp",
                install.kafka_dist(self.cfg).classpath,
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                cluster_id,
                "--config",
                str(self.home / "server.properties"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(
                f"formatting Kafka storage failed with exit code {result.returncode}:\n"
                f"{(result.stdout + result.stderr)[-3000:]}"
            )


class ObjectStore(Service):
    """The S3 API: SeaweedFS in its single-process mode (see stack.install for why)."""

    name = "s3"

    @property
    def port(self) -> int:
        return self.cfg.ports.s3

    def ports(self) -> list[int]:
        return [self.port, *self._internal_ports().values()]

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def prepare(self) -> None:
        install.ensure_object_store(self.cfg)
        (self.home / "data").mkdir(parents=True, exist_ok=True)

        access_key, secret_key = s3_credentials()
        identities = {
            "identities": [
                {
                    "name": access_key,
                    "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        config = self.home / "s3.json"
        config.write_text(json.dumps(identities, indent=2))
        config.chmod(0o600)

    def command(self) -> list[str]:
        internal = self._internal_ports()
        flags = {f"{part}": str(port) for part, port in internal.items()}
        return [
            str(install.weed_path(self.cfg)),
            "mini",
            f"-dir={self.home / 'data'}",
            f"-ip={HOST}",
            f"-ip.bind={HOST}",
            f"-s3.port={self.port}",
            *[f"-{flag}={value}" for flag, value in flags.items()],
            f"-s3.config={self.home / 's3.json'}",
            f"-filer.localSocket={self.home / 'filer.sock'}",
            f"-s3.localSocket={self.home / 's3.sock'}",
            # No phoning home, and no parts the stack does not use.
            "-master.telemetry=false",
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
        ]

    def is_healthy(self) -> bool:
        return health.http_ok(f"{self.url}/healthz")

    def _internal_ports(self) -> dict[str, int]:
        base = self.cfg.ports.s3_internal
        names = (
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port.grpc",
            "admin.port",
            "admin.port.grpc",
        )
        return {name: base + offset for offset, name in enumerate(names)}


_KAFKA_LOG4J2 = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Kafka's log goes to standard output, which the launcher appends to logs/kafka.log. -->
<Configuration status="WARN">
  <Appenders>
    <Console name="stdout" target="SYSTEM_OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
    </Console>
  </Appenders>
  <Loggers>
    <Logger name="kafka.request.logger" level="WARN"/>
    <Logger name="state.change.logger" level="WARN"/>
    <Logger name="org.apache.kafka.controller" level="INFO"/>
    <Root level="INFO">
      <AppenderRef ref="stdout"/>
    </Root>
  </Loggers>
</Configuration>
"""
