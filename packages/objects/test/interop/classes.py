"""The interop fixture classes, oslo side: the same names, fields, versions and history as classes.ts.

Each class here mirrors one in classes.ts field for field; a change to one side needs the same
change to the other (the interop tests compare envelopes, so a drift fails them). The history is
written the oslo way: obj_relationships for child versions, and obj_make_compatible by hand.
"""
from oslo_utils import versionutils
from oslo_versionedobjects import base, fields


def _older(target_version, version):
    return versionutils.convert_version_to_tuple(target_version) < versionutils.convert_version_to_tuple(version)


class VolumeStatusField(fields.StateMachine):
    ALLOWED_TRANSITIONS = {
        'creating': {'available', 'error'},
        'available': {'in-use', 'deleting'},
        'in-use': {'available'},
        'error': {'deleting'},
        'deleting': set(),
    }

    def __init__(self, **kwargs):
        super().__init__(valid_values=tuple(self.ALLOWED_TRANSITIONS), **kwargs)


@base.VersionedObjectRegistry.register
class Attachment(base.VersionedObject):
    VERSION = '1.1'
    fields = {
        'id': fields.UUIDField(),
        'instance': fields.StringField(),
        'mountpoint': fields.StringField(nullable=True),
        'attached_at': fields.DateTimeField(nullable=True),
        'attach_mode': fields.EnumField(valid_values=('rw', 'ro'), default='rw'),
    }

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        if _older(target_version, '1.1'):
            primitive.pop('attached_at', None)
            primitive.pop('attach_mode', None)


@base.VersionedObjectRegistry.register
class Volume(base.VersionedObject):
    VERSION = '1.3'
    fields = {
        'id': fields.UUIDField(),
        'name': fields.StringField(nullable=True),
        'auth_key': fields.SensitiveStringField(nullable=True),
        'size': fields.NonNegativeIntegerField(),
        'offset': fields.IntegerField(default=0),
        'ratio': fields.FloatField(nullable=True),
        'weight': fields.NonNegativeFloatField(nullable=True),
        'bootable': fields.BooleanField(default=False),
        'multiattach': fields.FlexibleBooleanField(default=False),
        'created_at': fields.DateTimeField(nullable=True),
        # Millisecond precision on the TypeScript side; oslo's DateTime parses the fraction.
        'synced_at': fields.DateTimeField(nullable=True),
        'tier': fields.EnumField(valid_values=('ssd', 'hdd', 'nvme'), nullable=True),
        'status': VolumeStatusField(default='creating'),
        'host_ip': fields.IPAddressField(nullable=True),
        'mgmt_ipv4': fields.IPV4AddressField(nullable=True),
        'mgmt_ipv6': fields.IPV6AddressField(nullable=True),
        'any_ip': fields.IPV4AndV6AddressField(nullable=True),
        'subnet': fields.IPNetworkField(nullable=True),
        'subnet4': fields.IPV4NetworkField(nullable=True),
        'subnet6': fields.IPV6NetworkField(nullable=True),
        'mac': fields.MACAddressField(nullable=True),
        'pci': fields.PCIAddressField(nullable=True),
        'tags': fields.ListOfStringsField(default=[]),
        'counts': fields.ListOfIntegersField(nullable=True),
        'metadata': fields.DictOfStringsField(default={}),
        'quotas': fields.DictOfIntegersField(nullable=True),
        'labels': fields.Field(fields.Set(fields.String()), nullable=True),
        'ports': fields.SetOfIntegersField(nullable=True),
        'attachment': fields.ObjectField('Attachment', nullable=True),
        'attachments': fields.ListOfObjectsField('Attachment', default=[]),
    }
    obj_relationships = {
        'attachment': [('1.1', '1.0'), ('1.2', '1.1')],
        'attachments': [('1.0', '1.0'), ('1.3', '1.1')],
    }

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        if _older(target_version, '1.3'):
            primitive.pop('auth_key', None)
        if _older(target_version, '1.2'):
            for name in ('host_ip', 'mgmt_ipv4', 'mgmt_ipv6', 'any_ip', 'subnet', 'subnet4', 'subnet6',
                         'mac', 'pci', 'synced_at'):
                primitive.pop(name, None)
        if _older(target_version, '1.1'):
            for name in ('offset', 'ratio', 'weight', 'bootable', 'multiattach', 'created_at', 'tier',
                         'counts', 'quotas', 'labels', 'ports', 'attachment'):
                primitive.pop(name, None)


@base.VersionedObjectRegistry.register
class VolumeList(base.ObjectListBase, base.VersionedObject):
    VERSION = '1.1'
    fields = {
        'objects': fields.ListOfObjectsField('Volume'),
    }
    obj_relationships = {'objects': [('1.0', '1.2'), ('1.1', '1.3')]}


@base.VersionedObjectRegistry.register
class ScsiAttachment(Attachment):
    """A subclass, accepted where an Attachment is expected with subclasses=True."""
    VERSION = '1.0'
    fields = {
        'lun': fields.IntegerField(),
    }


@base.VersionedObjectRegistry.register
class Snapshot(base.TimestampedObject, base.VersionedObject):
    VERSION = '1.0'
    fields = {
        'id': fields.UUIDField(),
        'source': fields.ObjectField('Attachment', subclasses=True, nullable=True),
    }


@base.VersionedObjectRegistry.register
class Note(base.VersionedObject):
    """No history on the TypeScript side: only its current version is described."""
    VERSION = '1.1'
    fields = {
        'text': fields.StringField(),
    }


class NovaObject(base.VersionedObject):
    """Nova's base: its own serial namespace (the envelope key prefix) and project namespace."""
    OBJ_SERIAL_NAMESPACE = 'nova_object'
    OBJ_PROJECT_NAMESPACE = 'nova'


@base.VersionedObjectRegistry.register
class Flavor(NovaObject):
    VERSION = '1.2'
    fields = {
        'id': fields.IntegerField(),
        'name': fields.StringField(),
        'memory_mb': fields.NonNegativeIntegerField(),
        'extra_specs': fields.DictOfStringsField(default={}),
        'created_at': fields.DateTimeField(nullable=True),
    }

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        if _older(target_version, '1.2'):
            primitive.pop('created_at', None)
            if 'memory_mb' in primitive:
                primitive['memory'] = primitive.pop('memory_mb')
        if _older(target_version, '1.1'):
            primitive.pop('extra_specs', None)


class AcmeObject(base.VersionedObject):
    """A project with its own namespace and oslo's default serial namespace."""
    OBJ_PROJECT_NAMESPACE = 'acme'


@base.VersionedObjectRegistry.register
class Widget(AcmeObject):
    VERSION = '2.1'
    fields = {
        'id': fields.UUIDField(),
        'label': fields.StringField(),
        'enabled': fields.BooleanField(default=True),
    }

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        if _older(target_version, '2.1'):
            primitive.pop('enabled', None)


# The base whose obj_from_primitive a receiver calls, by project.
BASES = {
    'versionedobjects': base.VersionedObject,
    'nova': NovaObject,
    'acme': AcmeObject,
}
