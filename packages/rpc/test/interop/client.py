"""A Python oslo.messaging RPC client for the interop tests.

usage: client.py EXCHANGE TOPIC < scenarios (one JSON object per line)
Each scenario: {"method", "args", "kind": "call"|"cast", "version", "namespace", "server", "fanout",
"version_cap", "timeout", "call_monitor_timeout", "context"}. Prints one JSON line per scenario:
{"ok": true, "result": ...} or {"ok": false, "error": {...}}.
"""
import json
import sys

import oslo_messaging
from oslo_versionedobjects import base

import interop_common as common


def run(transport, topic, scenario):
    target = oslo_messaging.Target(topic=topic)
    client = oslo_messaging.get_rpc_client(
        transport, target, serializer=base.VersionedObjectSerializer(),
        version_cap=scenario.get('version_cap'))
    prepare = {k: scenario[k] for k in ('version', 'namespace', 'server', 'fanout', 'timeout', 'call_monitor_timeout')
               if scenario.get(k) is not None}
    cctxt = client.prepare(**prepare)
    ctxt = scenario.get('context', {})
    args = common.from_json(scenario.get('args', {}))
    if scenario.get('kind', 'call') == 'cast':
        cctxt.cast(ctxt, scenario['method'], **args)
        return None
    return common.to_json(cctxt.call(ctxt, scenario['method'], **args))


def main():
    exchange, topic = sys.argv[1:3]
    # interop_common's exceptions come back typed; any other module's as RemoteError.
    transport = common.make_transport(exchange, allowed_remote_exmods=['interop_common'])
    for line in sys.stdin:
        if not line.strip():
            continue
        scenario = json.loads(line)
        try:
            common.emit({'ok': True, 'result': run(transport, topic, scenario)})
        except Exception as error:  # report every failure to the test
            common.emit({'ok': False, 'error': common.describe_error(error)})
    transport.cleanup()


if __name__ == '__main__':
    main()
