"""Release N's versioned objects written with oslo.versionedobjects: the Python twin of src/releases/release-n.ts.

Volume 1.0 and VolumeAttachment 1.0, same names, fields, versions and namespace as the TypeScript classes.
`describe()` renders a class in the description format of the `versioned fingerprint` command
(packages/cli/src/describe.ts) and `fingerprint()` hashes it the same way, so a test can hold both sides to
one fingerprint (packages/demo/test/python-host.test.ts).
"""
import hashlib
import json

from oslo_versionedobjects import base
from oslo_versionedobjects import fields

# A volume's lifecycle, as src/releases/statuses.ts has it.
VOLUME_TRANSITIONS = {
    'creating': {'available', 'error'},
    'available': {'attaching', 'deleting'},
    'attaching': {'in-use', 'available'},
    'in-use': {'detaching'},
    'detaching': {'available', 'in-use'},
    'deleting': {'deleted', 'error'},
    'deleted': set(),
    'error': {'deleting'},
}


class VolumeStatusField(fields.StateMachine):
    ALLOWED_TRANSITIONS = VOLUME_TRANSITIONS

    def __init__(self, **kwargs):
        super().__init__(valid_values=sorted(VOLUME_TRANSITIONS), **kwargs)


class ReleaseNObject(base.VersionedObject):
    OBJ_PROJECT_NAMESPACE = 'versionedobjects'


@base.VersionedObjectRegistry.register
class VolumeAttachment(ReleaseNObject):
    VERSION = '1.0'
    fields = {
        'id': fields.UUIDField(),
        'instance_uuid': fields.UUIDField(),
        'mountpoint': fields.StringField(nullable=True),
        'attached_at': fields.DateTimeField(),
    }


@base.VersionedObjectRegistry.register
class Volume(ReleaseNObject):
    VERSION = '1.0'
    fields = {
        'id': fields.UUIDField(read_only=True),
        'name': fields.StringField(),
        'size': fields.NonNegativeIntegerField(),
        'status': VolumeStatusField(),
        'created_at': fields.DateTimeField(),
        'attachments': fields.ListOfObjectsField('VolumeAttachment', default=[]),
    }


CLASSES = (Volume, VolumeAttachment)


def _type(field):
    """A field's type as packages/cli describes it; an oslo type without a counterpart here is an error."""
    kind = field._type
    if isinstance(field, fields.StateMachine):
        return {'type': 'StateMachine', 'values': sorted(kind.valid_values),
                'transitions': {state: sorted(to) for state, to in sorted(field.ALLOWED_TRANSITIONS.items())}}
    if isinstance(kind, fields.List):
        return {'type': 'List', 'element': _type(kind._element_type)}
    if isinstance(kind, fields.Object):
        return {'type': 'Object', 'target': kind._obj_name, 'subclasses': bool(kind._subclasses)}
    if isinstance(kind, fields.DateTime):
        # oslo's isotime() sends whole seconds, as the TypeScript DateTime's default precision does.
        return {'type': 'DateTime', 'precision': 'second'}
    for oslo_type, name in ((fields.UUID, 'UUID'), (fields.String, 'String'), (fields.NonNegativeInteger, 'NonNegativeInteger')):
        if isinstance(kind, oslo_type):
            return {'type': name}
    raise TypeError('no description for oslo field type %s' % type(kind).__name__)


def describe(cls):
    described = []
    children = []
    for name in sorted(cls.fields):
        field = cls.fields[name]
        entry = {'name': name, 'type': _type(field), 'nullable': field.nullable, 'readOnly': field.read_only}
        if field.default is not fields.UnspecifiedDefault:
            entry['default'] = {'value': field.to_primitive(None, name, field.default)}
        described.append(entry)
        element = getattr(field._type, '_element_type', None)
        target = getattr(getattr(element, '_type', None), '_obj_name', None) or getattr(field._type, '_obj_name', None)
        if target:
            children.append({'field': name, 'target': target, 'version': base.VersionedObjectRegistry.obj_classes()[target][0].VERSION})
    relationships = [{'field': f, 'pairs': [list(p) for p in pairs]} for f, pairs in sorted(cls.obj_relationships.items())]
    return {'name': cls.obj_name(), 'namespace': cls.OBJ_PROJECT_NAMESPACE, 'serialNamespace': cls.OBJ_SERIAL_NAMESPACE,
            'fields': described, 'remotable': [], 'children': children, 'relationships': relationships}


def fingerprint(cls):
    """`<version>-<sha256 of the canonical description>`: keys sorted, no spaces, as fast-json-stable-stringify writes."""
    canonical = json.dumps(describe(cls), sort_keys=True, separators=(',', ':'), ensure_ascii=False)
    return '%s-%s' % (cls.VERSION, hashlib.sha256(canonical.encode('utf-8')).hexdigest())


if __name__ == '__main__':
    # What the agreement test reads: every class's fingerprint and description.
    print(json.dumps({cls.obj_name(): {'fingerprint': fingerprint(cls), 'description': describe(cls)} for cls in CLASSES}))
