"""A volume host of release N written in Python: oslo.messaging and oslo.versionedobjects, no TypeScript.

It serves the volume API 1.0 (create_volume, get_volume) on topic `volume`, server=<host>, with the same
results as src/releases/volume-manager-n.ts, and keeps its row in the PostgreSQL services table as
@versioned/upgrade does (services_table.py), so the TypeScript processes of the fleet pin to it.

usage: volume_host.py --host NAME --transport-url rabbit://... --exchange NAME --database postgresql://...

It prints one JSON line per event on stdout (what the fleet's supervisor reads): ready, ran (a call's
`call_id` from its context, so a call run twice is seen), undecodable, sighup, stopped. SIGTERM (or stdin
closing) stops it cleanly: the RPC server drains, then the row is marked stopped. SIGKILL just kills it: the
row stops beating and turns late, then dead. SIGHUP beats at once and carries on.
"""
import argparse
import json
import os
import signal
import sys
import threading

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
    """Release N's volume manager: serves 1.0; a volume row is the data of its primitive, as the TS host keeps it."""

    target = oslo_messaging.Target(version='1.0')

    def __init__(self, host, zone):
        self.host = host
        self.zone = zone
        self.rows = {}

    @staticmethod
    def _ran(ctxt, method):
        call_id = ctxt.get('call_id') if isinstance(ctxt, dict) else None
        if call_id is not None:
            emit('ran', id=call_id, method=method)

    def create_volume(self, ctxt, volume):
        self._ran(ctxt, 'create_volume')
        self.rows[volume.id] = volume.obj_to_primitive()['versioned_object.data']
        return volume

    def get_volume(self, ctxt, volume_id):
        self._ran(ctxt, 'get_volume')
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
    parser.add_argument('--report-interval-ms', type=int, default=10000)
    parser.add_argument('--dead-after-ms', type=int, default=120000, help='down time + late grace of the fleet')
    parser.add_argument('--serve-delay-ms', type=int, default=0,
                        help='wait this long between writing the row and serving: the callers lower their pins first')
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    row = ServiceRow(args.database, BINARY, args.host, RELEASE['release'], RELEASE['rpc_versions'], RELEASE['objects'],
                     args.dead_after_ms)
    try:
        row.check_table()
        conf = cfg.CONF
        conf([], project='versioned-demo', default_config_files=[])
        oslo_messaging.set_transport_defaults(control_exchange=args.exchange)
        transport = oslo_messaging.get_rpc_transport(conf, url=args.transport_url)
        row.register()
    except Exception as error:
        emit('failed', error='%s: %s' % (type(error).__name__, error))
        return 2

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
        while not done.is_set():
            beat_now.wait(args.report_interval_ms / 1000.0)
            beat_now.clear()
            with beating:
                if done.is_set():
                    return
                try:
                    row.heartbeat()
                except Exception as error:
                    emit('warn', message='heartbeat failed: %s' % error)
    threading.Thread(target=heartbeats, daemon=True).start()

    done.wait(args.serve_delay_ms / 1000.0)
    target = oslo_messaging.Target(topic=args.topic, server=args.host)
    server = oslo_messaging.get_rpc_server(transport, target, [VolumeManagerN(args.host, args.zone)],
                                           executor='threading', serializer=CountingSerializer())
    server.start()
    emit('ready', host=args.host, release=RELEASE['release'], pid=os.getpid(),
         fingerprints={cls.obj_name(): volume_objects.fingerprint(cls) for cls in volume_objects.CLASSES})
    done.wait()
    # Drain: no new requests, the running ones finish and reply; then the row says stopped.
    server.stop()
    server.wait()
    with beating:
        try:
            row.stop()
        except Exception as error:
            emit('warn', message='marking the row stopped failed: %s' % error)
    row.close()
    transport.cleanup()
    emit('stopped', host=args.host)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
