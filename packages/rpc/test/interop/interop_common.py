"""What the Python side of the interop tests shares: the transport, a versioned object, the exceptions.

The TypeScript tests define the same Widget class and read/raise the same exceptions by class and module.
"""
import json
import os
import sys

from oslo_config import cfg
import oslo_messaging
from oslo_versionedobjects import base
from oslo_versionedobjects import fields

# The shared broker, or a node of the test's own (the fault tests).
URL = os.environ.get('INTEROP_TRANSPORT_URL', 'rabbit://guest:guest@127.0.0.1:5672/')


def make_transport(exchange, allowed_remote_exmods=None):
    # cfg.CONF: the RPC client reads its metrics options from the global config.
    conf = cfg.CONF
    conf([], project='interop', default_config_files=[])
    oslo_messaging.set_transport_defaults(control_exchange=exchange)
    return oslo_messaging.get_rpc_transport(conf, url=URL, allowed_remote_exmods=allowed_remote_exmods)


@base.VersionedObjectRegistry.register
class Widget(base.VersionedObject):
    # 1.0: id, name; 1.1: size
    VERSION = '1.1'
    fields = {
        'id': fields.UUIDField(),
        'name': fields.StringField(),
        'size': fields.IntegerField(default=0),
    }

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        if target_version == '1.0':
            primitive.pop('size', None)


class WidgetNotFound(Exception):
    """Raised with kwargs, the way nova's exceptions are: rebuilt typed by a caller that allows this module."""

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        super().__init__(message or 'Widget %(widget_id)s could not be found.' % kwargs)


class WidgetLocked(Exception):
    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        super().__init__(message or 'Widget %(widget_id)s is locked.' % kwargs)


def emit(value):
    sys.stdout.write(json.dumps(value) + '\n')
    sys.stdout.flush()


def describe_error(error):
    return {
        'class': type(error).__name__,
        'module': type(error).__module__,
        'remote_class': getattr(error, 'exc_type', None),
        'message': str(error).split('\n')[0],
        'kwargs': getattr(error, 'kwargs', None) or {},
        'args': [a for a in error.args if isinstance(a, (str, int, float))],
    }


def to_json(value):
    if isinstance(value, Widget):
        # Only a real Widget instance (the serializer rebuilt it) is reported as one.
        return {'$widget': {k: getattr(value, k) for k in value.fields if value.obj_attr_is_set(k)},
                '$version': value.VERSION}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


def from_json(value):
    if isinstance(value, dict) and '$widget' in value:
        return Widget(**value['$widget'])
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: from_json(v) for k, v in value.items()}
    return value
