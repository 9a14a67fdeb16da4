"""A Python oslo.messaging RPC server for the interop tests and the benchmark.

usage: server.py EXCHANGE TOPIC SERVER
Prints {"ready": true} once its queues are declared, then one JSON line per cast it receives.
Stops on SIGTERM or when stdin closes.
"""
import signal
import sys
import threading
import time

import oslo_messaging
from oslo_versionedobjects import base

import interop_common as common


class WidgetAPI(object):
    target = oslo_messaging.Target(version='1.3')

    def __init__(self, server_name):
        self.server_name = server_name

    def echo(self, ctxt, value):
        return value

    def whoami(self, ctxt):
        return self.server_name

    def context_value(self, ctxt, key):
        return ctxt.get(key)

    def resize(self, ctxt, widget, delta):
        assert isinstance(widget, common.Widget), type(widget)
        widget.size += delta
        return widget

    def make_widget(self, ctxt, id, name):
        return common.Widget(id=id, name=name, size=7)

    def find_widget(self, ctxt, widget_id):
        raise common.WidgetNotFound(widget_id=widget_id)

    def explode(self, ctxt):
        raise RuntimeError('the Python server exploded')

    def slow(self, ctxt, seconds, value):
        time.sleep(seconds)
        return value

    def tally(self, ctxt, value):
        common.emit({'ran': value, 'server': self.server_name})
        return value

    def record(self, ctxt, value):
        common.emit({'cast': value, 'server': self.server_name})


class AdminAPI(object):
    target = oslo_messaging.Target(namespace='admin', version='2.0')

    def ping(self, ctxt):
        return 'admin-pong'


def main():
    exchange, topic, server_name = sys.argv[1:4]
    transport = common.make_transport(exchange)
    target = oslo_messaging.Target(topic=topic, server=server_name)
    server = oslo_messaging.get_rpc_server(
        transport, target, [WidgetAPI(server_name), AdminAPI()], executor='threading',
        serializer=base.VersionedObjectSerializer())
    server.start()
    common.emit({'ready': True})

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.stop()
    server.wait()
    transport.cleanup()


if __name__ == '__main__':
    main()
