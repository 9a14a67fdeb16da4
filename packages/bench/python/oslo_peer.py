"""The Python peer of the benchmark: oslo.versionedobjects on the same Volume.

Reads {"volume": <plain fixture>, "seconds": float, "operations": [...]} on stdin, times each operation in
this process for a fixed CPU duration and prints {"python": ..., "oslo": ..., "results": {op: ops_per_cpu_s},
"primitive": <the envelope it encoded>, "backportOldest": <the same at 1.0>} on stdout as JSON; the node
side checks both envelopes against its own before it trusts any figure.
"""
import datetime
import importlib.metadata
import json
import sys
import time

from oslo_versionedobjects import base, fields

REGISTRY = base.VersionedObjectRegistry


class SetOfStringsField(fields.AutoTypedField):
    """oslo ships SetOfIntegersField only; this is the same thing over String."""
    AUTO_TYPE = fields.Set(fields.String())


@REGISTRY.register
class Attachment(base.VersionedObject):
    VERSION = '1.0'
    fields = {
        'id': fields.UUIDField(),
        'instance_uuid': fields.UUIDField(),
        'mountpoint': fields.StringField(),
        'attached_at': fields.DateTimeField(),
    }


@REGISTRY.register
class Volume(base.VersionedObject):
    # 1.1 added tags; backporting to 1.0 drops them (the "backport to oldest version" row).
    VERSION = '1.1'
    fields = {
        'id': fields.UUIDField(),
        'name': fields.StringField(),
        'description': fields.StringField(nullable=True),
        'size': fields.IntegerField(),
        'status': fields.EnumField(valid_values=['creating', 'available', 'in-use', 'deleting', 'error']),
        'bootable': fields.BooleanField(),
        'created_at': fields.DateTimeField(),
        'metadata': fields.DictOfStringsField(),
        'tags': SetOfStringsField(),
        'attachments': fields.ListOfObjectsField('Attachment'),
    }
    obj_relationships = {'attachments': [('1.0', '1.0')]}

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        if tuple(int(p) for p in target_version.split('.')) < (1, 1):
            primitive.pop('tags', None)


def parse_time(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)


def build_volume(plain):
    attachments = [
        Attachment(id=a['id'], instance_uuid=a['instance_uuid'], mountpoint=a['mountpoint'],
                   attached_at=parse_time(a['attached_at']))
        for a in plain['attachments']
    ]
    volume = Volume(
        id=plain['id'], name=plain['name'], description=plain['description'], size=plain['size'],
        status=plain['status'], bootable=plain['bootable'], created_at=parse_time(plain['created_at']),
        metadata=dict(plain['metadata']), tags=set(plain['tags']), attachments=attachments,
    )
    # As loaded from a database: nothing changed, so the envelope carries no "changes" key.
    for attachment in attachments:
        attachment.obj_reset_changes()
    volume.obj_reset_changes()
    return volume


def operations(volume):
    primitive = volume.obj_to_primitive()
    return {
        'toPrimitive': lambda: volume.obj_to_primitive(),
        'fromPrimitive': lambda: Volume.obj_from_primitive(primitive),
        'roundTrip': lambda: Volume.obj_from_primitive(json.loads(json.dumps(volume.obj_to_primitive()))),
        'backportOldest': lambda: volume.obj_to_primitive(target_version='1.0'),
    }


def ops_per_second(fn, seconds):
    """Calls per CPU second over a loop of fixed CPU duration, timed in batches to keep the clock out of it.

    CPU time, as on the JS side: a busy neighbour on a shared machine does not count.
    """
    fn()
    batch = 1
    calls = 0
    start = time.process_time()
    elapsed = 0.0
    while elapsed < seconds or calls == 0:
        for _ in range(batch):
            fn()
        calls += batch
        elapsed = time.process_time() - start
        if batch < 256:
            batch *= 2
    return calls / elapsed


def main():
    request = json.load(sys.stdin)
    volume = build_volume(request['volume'])
    ops = operations(volume)
    unknown = [name for name in request['operations'] if name not in ops]
    if unknown:
        raise SystemExit('oslo_peer: unknown operations %s' % unknown)
    results = {name: ops_per_second(ops[name], float(request['seconds'])) for name in request['operations']}
    primitive = volume.obj_to_primitive()
    primitive['versioned_object.data']['tags'] = sorted(primitive['versioned_object.data']['tags'])
    json.dump({
        'python': sys.version.split()[0],
        'oslo': importlib.metadata.version('oslo.versionedobjects'),
        'results': results,
        'primitive': primitive,
        'backportOldest': volume.obj_to_primitive(target_version='1.0'),
    }, sys.stdout, default=list)


if __name__ == '__main__':
    main()
