"""A volume host of release N written in Python: oslo.messaging and oslo.versionedobjects, no TypeScript.

It serves the volume API 1.0 (create_volume, get_volume, the cast update_volume) on topic `volume`,
server=<host>, with the same results as src/releases/volume-manager-n.ts, and keeps its row in the PostgreSQL
services table as @versioned/upgrade does (services_table.py), so the TypeScript processes pin to it. It
starts as fleet/volume-host.ts does: the server listens first, then the row is written.

usage: volume_host.py --host NAME --transport-url rabbit://... --exchange NAME --database postgresql://...

It prints one JSON line per event on stdout (what the fleet's supervisor reads): ready, delivered (each
message, with the `request_id` of its context: a request run twice is seen), undecodable, sighup, stopped.
SIGTERM (or stdin closing) stops it as the TypeScript host stops: the row is marked stopped (callers stop
addressing it), it serves --drain-ms more, then the server stops. SIGKILL just kills it: the row stops
beating and turns late, then dead. SIGHUP beats at once and carries on.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

from oslo_config import cfg
import oslo_messaging
from oslo_versionedobjects import base

from services_table import ServiceRow
import volume_objects
from volume_objects import Volume

# What release N declares (src/releases/releases.ts, VOLUME_RELEASES).
BINARY = 'volume'
RELEASE = {'release': 'N', 'rpc_versions': {'volume': '1.0'}, 'objects': 'N'}

_out = threading.Lock()


def emit(event, **fields):
    with _out:
        sys.stdout.write(json.dumps(dict(fields, event=event)) + '\n')
        sys.stdout.flush()


class CountingSerializer(base.VersionedObjectSerializer):
    """oslo's serializer, reporting every argument it cannot decode (the fleet asserts there are none)."""

    def deserialize_entity(self, context, entity):
        try:
            return super().deserialize_entity(context, entity)
        except Exception as error:
            emit('undecodable', error='%s: %s' % (type(error).__name__, error))
            raise


class VolumeManagerN(object):
    """Release N's volume manager: serves 1.0; a volume row is the data of its primitive, as the TS host keeps it.

    With a rows file (--rows), the rows outlive the process as a database would: each change is written to it,
    in the JSON the TypeScript hosts write, so the release-N+1 TypeScript host that replaces this one reads them.
    """

    target = oslo_messaging.Target(version='1.0')

    def __init__(self, host, zone, rows_path=None):
        self.host = host
        self.zone = zone
        self.rows_path = rows_path
        self.rows = {}
        if rows_path and os.path.exists(rows_path):
            with open(rows_path) as f:
                self.rows = json.load(f)
        self.lock = threading.Lock()

    @staticmethod
    def _delivered(ctxt, method, expects_reply=True):
        request_id = ctxt.get('request_id') if isinstance(ctxt, dict) else None
        emit('delivered', requestId=request_id, method=method, expectsReply=expects_reply)

    def _store(self, volume):
        with self.lock:
            self.rows[volume.id] = volume.obj_to_primitive()['versioned_object.data']
            if self.rows_path:
                with open(self.rows_path + '.tmp', 'w') as f:
                    json.dump(self.rows, f)
                os.replace(self.rows_path + '.tmp', self.rows_path)

    def create_volume(self, ctxt, volume):
        self._delivered(ctxt, 'create_volume')
        self._store(volume)
        return volume

    def update_volume(self, ctxt, volume):
        """A cast: store the volume's fields; nothing goes back."""
        self._delivered(ctxt, 'update_volume', expects_reply=False)
        self._store(volume)

    def get_volume(self, ctxt, volume_id):
        self._delivered(ctxt, 'get_volume')
        row = self.rows.get(volume_id)
        if row is None:
            raise Exception('no volume %s on %s' % (volume_id, self.host))
        return Volume.obj_from_primitive({'versioned_object.name': 'Volume', 'versioned_object.namespace': 'versionedobjects',
                                          'versioned_object.version': Volume.VERSION, 'versioned_object.data': row})


def parse_args(argv):
    parser = argparse.ArgumentParser(description='A release-N volume host in Python (oslo.messaging).')
    parser.add_argument('--host', required=True)
    parser.add_argument('--transport-url', required=True, help='rabbit://user:password@host:port/')
    parser.add_argument('--exchange', required=True, help="oslo's control_exchange, the fleet's")
    parser.add_argument('--topic', default='volume')
    parser.add_argument('--database', required=True, help='postgresql://... holding the services table')
    parser.add_argument('--zone', default='nova')
    parser.add_argument('--rows', help='a JSON file holding the volume rows across restarts')
    parser.add_argument('--report-interval-ms', type=int, default=10000)
    parser.add_argument('--dead-after-ms', type=int, default=120000, help='down time + late grace of the fleet')
    parser.add_argument('--force-below-finalized', action='store_true',
                        help='start although the fleet was finalized at a newer release (as RegisterOptions.forceBelowFinalized)')
    parser.add_argument('--drain-ms', type=int, default=500, help='serving after the row says stopped')
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    row = ServiceRow(args.database, BINARY, args.host, RELEASE['release'], RELEASE['rpc_versions'], RELEASE['objects'],
                     args.dead_after_ms)
    try:
        row.check_table()
        # As Upgrade.register() refuses it: release N only knows N, so a fleet finalized at another release is newer.
        finalized = row.finalized_release()
        if finalized not in (None, RELEASE['release']) and not args.force_below_finalized:
            raise RuntimeError('below_finalized: refusing to start %s on release %s: the fleet was finalized at %s, whose '
                               'services may write data %s cannot read; pass --force-below-finalized to start anyway'
                               % (BINARY, RELEASE['release'], finalized, RELEASE['release']))
        conf = cfg.CONF
        conf([], project='versioned-demo', default_config_files=[])
        oslo_messaging.set_transport_defaults(control_exchange=args.exchange)
        transport = oslo_messaging.get_rpc_transport(conf, url=args.transport_url)
        # Reconnect within a fraction of a second after the broker closes the connection (the fleet's calls
        # time out in seconds, not oslo's minutes).
        for option, value in (('kombu_reconnect_delay', 0.1), ('rabbit_retry_backoff', 0), ('rabbit_interval_max', 1)):
            conf.set_override(option, value, group='oslo_messaging_rabbit')
        target = oslo_messaging.Target(topic=args.topic, server=args.host)
        server = oslo_messaging.get_rpc_server(transport, target, [VolumeManagerN(args.host, args.zone, args.rows)],
                                               executor='threading', serializer=CountingSerializer())
        server.start()
        row.register()
    except Exception as error:
        emit('failed', error='%s: %s' % (type(error).__name__, error))
        os._exit(2)  # an RPC server already started must not keep the process alive

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    beat_now = threading.Event()

    def on_sighup(*_):
        emit('sighup')
        beat_now.set()
    signal.signal(signal.SIGHUP, on_sighup)
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()

    beating = threading.Lock()

    def heartbeats():
        failing = False  # a failure is reported once per streak, as RunningService does
        while not done.is_set():
            beat_now.wait(args.report_interval_ms / 1000.0)
            beat_now.clear()
            with beating:
                if done.is_set():
                    return
                try:
                    row.heartbeat()
                    if failing:
                        emit('info', message='heartbeats reach the services table again')
                    failing = False
                except Exception as error:
                    if not failing:
                        emit('warn', message='heartbeat failed: %s' % error)
                    failing = True
    threading.Thread(target=heartbeats, daemon=True).start()

    emit('ready', host=args.host, release=RELEASE['release'], pid=os.getpid(),
         fingerprints={cls.obj_name(): volume_objects.fingerprint(cls) for cls in volume_objects.CLASSES})
    done.wait()
    with beating:
        try:
            row.stop()
        except Exception as error:
            emit('warn', message='marking the row stopped failed: %s' % error)
    # Calls addressed from a view of the table that still listed this host arrive during the drain.
    time.sleep(args.drain_ms / 1000.0)
    server.stop()
    server.wait()
    row.close()
    transport.cleanup()
    emit('stopped', host=args.host)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
