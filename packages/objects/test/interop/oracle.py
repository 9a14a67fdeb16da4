"""The oslo.versionedobjects oracle for the interop tests.

Reads one JSON request per line on stdin, writes one JSON response per line on stdout:
  request:  {"id": 1, "op": "build" | "decode", ...}
  response: {"id": 1, "ok": <result>, "warnings": [...]}
            or {"id": 1, "error": {"type": "<exception class>", "message": "...", "trace": "..."}, "warnings": [...]}
The first line written is {"ready": true, "oslo": "<version>"}, or {"fatal": "..."} before exiting 1.

Ops:
  build   {spec, target_version?, manifest?} -> {primitive, report}: an object built the oslo way from a spec
          (see specs.ts), then obj_to_primitive().
  decode  {primitive, base?, target_version?, manifest?} -> {report, primitive}: obj_from_primitive() on the
          base of the envelope's project (or `base`), what the object holds, and obj_to_primitive() of it again
          (with target_version and manifest, that is what Nova's conductor answers to object_backport_versions).
  serialize    {entity, base?} -> VersionedObjectSerializer.serialize_entity() of a payload holding specs.
  deserialize  {entity, base?} -> VersionedObjectSerializer.deserialize_entity(), objects reported.
  tree_versions {name} -> obj_tree_get_versions(name).
  define  {classes} -> registers classes described as JSON (the differential tests' random classes; see
          define_class()).
  batch   {requests} -> [{ok} | {error}] for many requests in one line (the differential tests send thousands).
"""
import datetime
import json
import os
import sys
import traceback
import warnings

try:
    import netaddr
    from importlib.metadata import version as _dist_version
    from oslo_utils import versionutils
    from oslo_versionedobjects import base, fields
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if os.environ.get('ORACLE_CINDER'):
        # Python Cinder's own objects (Debian python3-cinder) instead of the fixture classes.
        from cinder import objects as cinder_objects
        cinder_objects.register_all()
        from cinder.objects import base as cinder_base

        class classes:  # noqa: N801 - stands in for the fixture module
            BASES = {'cinder': cinder_base.CinderObject}
    else:
        cinder_base = None
        import classes
except Exception as exc:  # the test reports this, with the fix
    print(json.dumps({'fatal': '%s: %s' % (type(exc).__name__, exc)}), flush=True)
    sys.exit(1)


def oslo_version():
    try:
        return _dist_version('oslo.versionedobjects')
    except Exception:
        return 'unknown'


def class_for(name, version=None):
    registered = base.VersionedObjectRegistry.obj_classes().get(name)
    if not registered:
        raise KeyError('no fixture class named %r' % name)
    if version is None:
        return registered[0]
    for cls in registered:
        if cls.VERSION == version:
            return cls
    raise KeyError('no fixture class %s %s' % (name, version))


def convert(field, value):
    """A spec value as oslo wants it assigned: nested specs built, lists made sets for Set fields."""
    if value is None:
        return None
    kind = field._type
    if isinstance(value, dict) and '$object' in value:
        return build(value)
    if isinstance(kind, fields.List):
        return [convert(kind._element_type, v) for v in value]
    if isinstance(kind, fields.Set):
        return set(convert(kind._element_type, v) for v in value)
    if isinstance(kind, fields.Dict):
        return {k: convert(kind._element_type, v) for k, v in value.items()}
    return value


def assign(obj, values):
    for name, value in values.items():
        setattr(obj, name, convert(obj.fields[name], value))


def build(spec):
    """Steps in order: values, setDefaults, reset, after, unset (the same order specs.ts follows)."""
    obj = class_for(spec['$object'], spec.get('version'))()
    assign(obj, spec.get('values', {}))
    defaults = spec.get('setDefaults')
    if defaults is not None:
        obj.obj_set_defaults(*defaults)
    reset = spec.get('reset')
    if reset == 'recursive':
        obj.obj_reset_changes(recursive=True)
    elif reset:
        obj.obj_reset_changes()  # Cinder's Volume overrides it without `recursive`
    assign(obj, spec.get('after', {}))
    for name, entries in spec.get('in_place', {}).items():
        getattr(obj, name).update(entries)
    for name in spec.get('unset', []):
        delattr(obj, name)
        if spec.get('unset_forgets_change'):
            # The documented difference "A field unset after it was set is no longer changed", applied.
            obj._changed_fields.discard(name)
    return obj


def type_tag(value):
    if value is None:
        return 'null'
    if isinstance(value, base.VersionedObject):
        return 'object:' + value.obj_name()
    if isinstance(value, datetime.datetime):
        return 'datetime' if value.utcoffset() is not None else 'naive-datetime'
    if isinstance(value, netaddr.IPNetwork):
        return 'IPNetwork'
    if isinstance(value, netaddr.IPAddress):
        return 'IPAddress'
    for kind, tag in ((bool, 'bool'), (int, 'int'), (float, 'float'), (str, 'str'),
                      (set, 'set'), (list, 'list'), (tuple, 'tuple'), (dict, 'dict')):
        if isinstance(value, kind):
            return tag
    return type(value).__name__


def jsonable(value):
    """What a value is, as JSON: datetimes in UTC isoformat, sets sorted, addresses as text, objects reported."""
    if isinstance(value, base.VersionedObject):
        return report(value)
    if isinstance(value, datetime.datetime):
        if value.utcoffset() is not None:
            value = value.astimezone(datetime.timezone.utc)
        return value.isoformat()
    if isinstance(value, (netaddr.IPAddress, netaddr.IPNetwork)):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def report(obj):
    """Everything the object holds: name, version, each set field's value and Python type, what changed."""
    values, types = {}, {}
    for name in obj.fields:
        if obj.obj_attr_is_set(name):
            value = getattr(obj, name)
            values[name] = jsonable(value)
            types[name] = type_tag(value)
    return {
        '$object': obj.obj_name(),
        'version': obj.VERSION,
        'fields': values,
        'types': types,
        'changed': sorted(obj.obj_what_changed()),
    }


def to_primitive(obj, request):
    return obj.obj_to_primitive(target_version=request.get('target_version'),
                                version_manifest=request.get('manifest'))


def receiver_base(primitive, requested):
    if requested:
        return classes.BASES[requested]
    for serial in ('nova_object', 'versioned_object'):
        if serial + '.namespace' in primitive:
            return classes.BASES.get(primitive[serial + '.namespace'], base.VersionedObject)
    return base.VersionedObject


def op_build(request):
    obj = build(request['spec'])
    return {'primitive': to_primitive(obj, request), 'report': report(obj)}


def op_decode(request):
    primitive = request['primitive']
    obj = receiver_base(primitive, request.get('base')).obj_from_primitive(primitive)
    return {'report': report(obj), 'primitive': to_primitive(obj, request)}


def serializer_for(base_name):
    """oslo's VersionedObjectSerializer reads one serial namespace: that of its OBJ_BASE_CLASS."""
    class Serializer(base.VersionedObjectSerializer):
        OBJ_BASE_CLASS = classes.BASES[base_name]
    return Serializer()


def build_entity(value):
    """A payload with specs in it: the specs built, containers kept."""
    if isinstance(value, dict) and '$object' in value:
        return build(value)
    if isinstance(value, list):
        return [build_entity(v) for v in value]
    if isinstance(value, dict):
        return {k: build_entity(v) for k, v in value.items()}
    return value


def op_serialize(request):
    """VersionedObjectSerializer.serialize_entity() of a payload built from specs."""
    return serializer_for(request.get('base', 'versionedobjects')).serialize_entity(None, build_entity(request['entity']))


def op_deserialize(request):
    """VersionedObjectSerializer.deserialize_entity(), reported: objects as report(), containers as JSON."""
    entity = serializer_for(request.get('base', 'versionedobjects')).deserialize_entity(None, request['entity'])
    return jsonable(entity)


def op_tree_versions(request):
    return base.obj_tree_get_versions(request['name'])


SCALARS = {
    'string': fields.String, 'sensitive': fields.SensitiveString, 'integer': fields.Integer,
    'float': fields.Float, 'boolean': fields.Boolean, 'flexbool': fields.FlexibleBoolean,
    'uuid': fields.UUID, 'datetime': fields.DateTime, 'ipaddr': fields.IPAddress,
    'ipnet': fields.IPNetwork, 'mac': fields.MACAddress, 'pci': fields.PCIAddress,
}
CONTAINERS = {'list': fields.List, 'set': fields.Set, 'dict': fields.Dict}


def field_type(desc):
    """A field type from its JSON description: {t, of?, nullableItems?, values?, cls?}."""
    kind = desc['t']
    if kind in SCALARS:
        return SCALARS[kind]()
    if kind == 'enum':
        return fields.Enum(valid_values=desc['values'])
    if kind in CONTAINERS:
        args = {'nullable': True} if desc.get('nullableItems') else {}
        return CONTAINERS[kind](field_type(desc['of']), **args)
    raise ValueError('unknown field type %r' % kind)


def make_field(desc):
    kind = desc['type']['t']
    args = {'nullable': desc.get('nullable', False)}
    if 'default' in desc:
        args['default'] = desc['default']
    if kind == 'object':
        return fields.ObjectField(desc['type']['cls'], **args)
    if kind == 'objects':
        return fields.ListOfObjectsField(desc['type']['cls'], **args)
    return fields.Field(field_type(desc['type']), **args)


def define_class(desc):
    """An oslo class as a project writes one: fields, obj_relationships, and an obj_make_compatible that
    drops each field for targets older than the version that added it (after the children's backport)."""
    added = {name: versionutils.convert_version_to_tuple(since) for name, since in desc.get('added', {}).items()}
    relationships = {name: [tuple(pair) for pair in pairs] for name, pairs in desc.get('relationships', {}).items()}
    is_list = desc.get('list', False)
    attrs = {'VERSION': desc['version'], 'fields': {f['name']: make_field(f) for f in desc['fields']},
             'obj_relationships': relationships}

    def obj_make_compatible(self, primitive, target_version):
        super(cls, self).obj_make_compatible(primitive, target_version)
        target = versionutils.convert_version_to_tuple(target_version)
        for name, since in added.items():
            if target < since:
                primitive.pop(name, None)

    def obj_what_changed(self):
        # The documented difference "a change inside an element of a ListOfObjects field", applied to oslo
        # so that envelopes compare exactly (oslo's ObjectListBase already does this for its objects).
        changes = super(cls, self).obj_what_changed()
        for name, field in self.fields.items():
            if isinstance(field, fields.ListOfObjectsField) and self.obj_attr_is_set(name):
                if any(item.obj_what_changed() for item in (getattr(self, name) or [])):
                    changes.add(name)
        return changes

    attrs['obj_make_compatible'] = obj_make_compatible
    if not is_list:
        attrs['obj_what_changed'] = obj_what_changed
    bases = (base.ObjectListBase, base.VersionedObject) if is_list else (base.VersionedObject,)
    cls = type(str(desc['name']), bases, attrs)
    base.VersionedObjectRegistry.register(cls)
    return cls


def op_cinder_serialize(request):
    """CinderObjectSerializer(version_cap).serialize_entity() of an object built from a spec."""
    serializer = cinder_base.CinderObjectSerializer(version_cap=request.get('version_cap'))
    return serializer.serialize_entity(None, build(request['spec']))


def op_cinder_decode(request):
    """obj_from_primitive() as Cinder reads it, reported, and re-serialized with a version cap."""
    obj = cinder_base.CinderObject.obj_from_primitive(request['primitive'])
    serializer = cinder_base.CinderObjectSerializer(version_cap=request.get('version_cap'))
    return {'report': report(obj), 'primitive': serializer.serialize_entity(None, obj)}


def op_cinder_versions(request):
    """Cinder's OBJ_VERSIONS: each manifest by key, oldest first."""
    history = cinder_base.OBJ_VERSIONS
    return [[key, history[key]] for key in history.versions]


def op_define(request):
    for desc in request['classes']:
        define_class(desc)
    return len(request['classes'])


def op_batch(request):
    out = []
    for sub in request['requests']:
        try:
            result = OPS[sub['op']](sub)
            json.dumps(result, allow_nan=False)
            out.append({'ok': result})
        except Exception as exc:
            out.append({'error': {'type': type(exc).__name__, 'message': str(exc)}})
    return out


OPS = {'build': op_build, 'decode': op_decode, 'serialize': op_serialize, 'deserialize': op_deserialize,
       'tree_versions': op_tree_versions, 'define': op_define, 'batch': op_batch,
       'cinder_serialize': op_cinder_serialize, 'cinder_decode': op_cinder_decode, 'cinder_versions': op_cinder_versions}


def handle(line):
    """One request line in, one response line out; never raises, and the line is always strict JSON."""
    request = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            request = json.loads(line)
            result = OPS[request['op']](request)
            # allow_nan=False: a NaN oslo holds becomes an error here rather than a line JSON cannot parse.
            json.dumps(result, allow_nan=False)
            response = {'id': request.get('id'), 'ok': result}
        except Exception as exc:
            response = {'id': request.get('id') if isinstance(request, dict) else None,
                        'error': {'type': type(exc).__name__, 'message': str(exc),
                                  'trace': traceback.format_exc(limit=4)}}
    # oslo warns where it will reject in a future release (invalid UUIDs): the tests want to see that.
    response['warnings'] = sorted(set('%s: %s' % (w.category.__name__, w.message) for w in caught))
    return json.dumps(response)


def main():
    print(json.dumps({'ready': True, 'oslo': oslo_version()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        print(handle(line), flush=True)


if __name__ == '__main__':
    main()
