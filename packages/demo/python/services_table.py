"""A service's row in the PostgreSQL services table, written as @versioned/upgrade's ServiceStore writes it.

The statements are those of packages/upgrade/src/store/sql-store.ts (register, heartbeat, stop), against
the schema of packages/upgrade/migrations/postgres: times in milliseconds since the epoch, rpc_versions as
compact JSON, and every write that may move the pins bumps versioned_services_generation and sends
NOTIFY versioned_services (payload: the binary) in the same transaction, so every TypeScript process
refreshes its pins at once.
"""
import json
import time

import psycopg2

NOTIFY_CHANNEL = 'versioned_services'
COLUMNS = ('binary_name, host, release_name, rpc_versions, objects_version, created_at, heartbeat_at, '
           'stopped_at, disabled, disabled_reason')
REGISTER = ('INSERT INTO versioned_services (' + COLUMNS + ') VALUES (%(binary)s, %(host)s, %(release)s, %(rpc)s, '
            '%(objects)s, %(now)s, %(now)s, NULL, 0, NULL) '
            'ON CONFLICT (binary_name, host) DO UPDATE SET release_name = excluded.release_name, '
            'rpc_versions = excluded.rpc_versions, objects_version = excluded.objects_version, '
            'heartbeat_at = excluded.heartbeat_at, stopped_at = NULL')
SEEN = ('INSERT INTO versioned_releases_seen (binary_name, release_name, rpc_versions, objects_version, first_seen_at, '
        'last_seen_at) VALUES (%(binary)s, %(release)s, %(rpc)s, %(objects)s, %(now)s, %(now)s) '
        'ON CONFLICT (binary_name, release_name) DO UPDATE SET rpc_versions = excluded.rpc_versions, '
        'objects_version = excluded.objects_version, last_seen_at = excluded.last_seen_at')
BUMP = 'UPDATE versioned_services_generation SET generation = generation + 1 WHERE id = 1'
ANNOUNCE = 'SELECT pg_notify(%(channel)s, %(binary)s)'
BEAT_LIVE = ('UPDATE versioned_services SET heartbeat_at = %(now)s WHERE binary_name = %(binary)s AND host = %(host)s '
             'AND stopped_at IS NULL AND heartbeat_at > %(dead_before)s RETURNING host')
BEAT_DEAD = ('UPDATE versioned_services SET heartbeat_at = %(now)s WHERE binary_name = %(binary)s AND host = %(host)s '
             'AND stopped_at IS NULL RETURNING host')
STOP = 'UPDATE versioned_services SET stopped_at = %(now)s WHERE binary_name = %(binary)s AND host = %(host)s'


def now_ms():
    return int(time.time() * 1000)


class ServiceRow(object):
    """One registered service: register(), heartbeat() every report interval, stop() on a graceful shutdown."""

    def __init__(self, url, binary, host, release, rpc_versions, objects, dead_after_ms):
        self.url = url
        self.params = {'binary': binary, 'host': host, 'release': release, 'objects': objects,
                       'rpc': json.dumps(rpc_versions, separators=(',', ':')), 'channel': NOTIFY_CHANNEL}
        self.dead_after_ms = dead_after_ms
        self.conn = None

    def _connection(self):
        if self.conn is None or self.conn.closed:
            self.conn = psycopg2.connect(self.url, connect_timeout=5)
            self.conn.autocommit = True
        return self.conn

    def _run(self, statements, moves_pins, **values):
        """Run statements in one transaction; when `moves_pins(rows of the first)` bump the counter and NOTIFY."""
        params = dict(self.params, now=now_ms(), **values)
        conn = self._connection()
        try:
            with conn.cursor() as cur:
                cur.execute('BEGIN')
                cur.execute(statements[0], params)
                rows = cur.fetchall() if cur.description else []
                for statement in statements[1:]:
                    cur.execute(statement, params)
                if moves_pins(rows):
                    cur.execute(BUMP)
                    cur.execute(ANNOUNCE, params)
                cur.execute('COMMIT')
            return rows
        except Exception:
            # A lost connection or a failed statement: drop the connection, the next write opens another.
            try:
                conn.close()
            except Exception:
                pass
            self.conn = None
            raise

    def check_table(self):
        with self._connection().cursor() as cur:
            cur.execute("SELECT to_regclass('versioned_services') IS NOT NULL")
            if not cur.fetchone()[0]:
                raise RuntimeError('%s has no services table (versioned_services)' % self.url)

    def finalized_release(self):
        """The release the binary was finalized at (versioned_upgrade_state), or None."""
        with self._connection().cursor() as cur:
            cur.execute('SELECT finalized_release FROM versioned_upgrade_state WHERE binary_name = %(binary)s', self.params)
            found = cur.fetchone()
            return found[0] if found else None

    def register(self):
        self._run([REGISTER, SEEN], lambda rows: True)

    def heartbeat(self):
        """One beat; a row that was dead (or stopped, or gone) announces itself, so the pins drop at once."""
        dead_before = now_ms() - self.dead_after_ms
        with self._connection().cursor() as cur:
            cur.execute(BEAT_LIVE, dict(self.params, now=now_ms(), dead_before=dead_before))
            if cur.fetchall():
                return
        if not self._run([BEAT_DEAD], lambda rows: len(rows) > 0):
            self.register()  # forgotten or stopped while running: write the row again, as RunningService does

    def stop(self):
        self._run([STOP], lambda rows: True)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
