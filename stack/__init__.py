"""Native launcher for Murmur's production topology: MariaDB, Kafka, an S3 server, two web
replicas, two encoder workers and Nginx, run as local processes on 127.0.0.1.

Command line: ``python -m stack up|down|status|logs``. Python API: ``stack.services.Stack``.
"""
