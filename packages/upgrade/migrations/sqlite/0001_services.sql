-- The services table, the releases seen during an upgrade, the upgrade state and the change counter.
-- Times are milliseconds since the epoch; rpc_versions is a JSON object (API -> version).
CREATE TABLE versioned_services (
  binary_name TEXT NOT NULL,
  host TEXT NOT NULL,
  release_name TEXT NOT NULL,
  rpc_versions TEXT NOT NULL,
  objects_version TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  stopped_at INTEGER,
  disabled INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT,
  PRIMARY KEY (binary_name, host)
);

CREATE TABLE versioned_releases_seen (
  binary_name TEXT NOT NULL,
  release_name TEXT NOT NULL,
  rpc_versions TEXT NOT NULL,
  objects_version TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  PRIMARY KEY (binary_name, release_name)
);

CREATE TABLE versioned_upgrade_state (
  binary_name TEXT PRIMARY KEY,
  finalized_release TEXT NOT NULL,
  finalized_at INTEGER NOT NULL,
  finalized_by TEXT NOT NULL
);

CREATE TABLE versioned_services_generation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL
);

INSERT INTO versioned_services_generation (id, generation) VALUES (1, 0);
