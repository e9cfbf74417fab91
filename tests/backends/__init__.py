"""Contract tests of the storage and bus backends, and of the schema migrations."""
