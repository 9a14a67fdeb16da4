-- The services table, the releases seen during an upgrade, the upgrade state and the change counter.
-- Times are milliseconds since the epoch; rpc_versions is a JSON object (API -> version).
CREATE TABLE versioned_services (
  binary_name TEXT NOT NULL,
  host TEXT NOT NULL,
  release_name TEXT NOT NULL,
  rpc_versions TEXT NOT NULL,
  objects_version TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  stopped_at BIGINT,
  disabled SMALLINT NOT NULL DEFAULT 0,
  disabled_reason TEXT,
  PRIMARY KEY (binary_name, host)
);

CREATE TABLE versioned_releases_seen (
  binary_name TEXT NOT NULL,
  release_name TEXT NOT NULL,
  rpc_versions TEXT NOT NULL,
  objects_version TEXT NOT NULL,
  first_seen_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  PRIMARY KEY (binary_name, release_name)
);

CREATE TABLE versioned_upgrade_state (
  binary_name TEXT PRIMARY KEY,
  finalized_release TEXT NOT NULL,
  finalized_at BIGINT NOT NULL,
  finalized_by TEXT NOT NULL
);

CREATE TABLE versioned_services_generation (
  id SMALLINT PRIMARY KEY CHECK (id = 1),
  generation BIGINT NOT NULL
);

INSERT INTO versioned_services_generation (id, generation) VALUES (1, 0);
