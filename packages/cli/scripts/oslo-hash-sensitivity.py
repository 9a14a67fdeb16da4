"""What oslo.versionedobjects' ObjectVersionChecker.get_hashes() notices: one schema change at a time.

Each case builds a class, changes one thing, and reports whether get_hashes() changed. Prints JSON
{case: true|false}. Run by packages/cli/test/oslo-hashes.test.ts, which holds docs/fingerprint.md's table to it.
"""
import json
import sys

from oslo_versionedobjects import base, fields, fixture


def make(name='Thing', flds=None, extra=None, parent=base.VersionedObject):
    attrs = {'VERSION': '1.0', 'fields': dict(flds or {})}
    attrs.update(extra or {})
    return type(name, (parent,), attrs)


def hash_of(cls):
    return fixture.ObjectVersionChecker(obj_classes={cls.obj_name(): [cls]}).get_hashes()[cls.obj_name()]


BASE = {'name': fields.StringField()}


def changed(before, after):
    return hash_of(before) != hash_of(after)


# A StateMachine is an Enum field whose class says where each value may move to.
class States(fields.StateMachine):
    ALLOWED_TRANSITIONS = {'a': {'b'}, 'b': set()}

    def __init__(self, **kw):
        super().__init__(valid_values=['a', 'b'], **kw)


class OtherStates(fields.StateMachine):
    ALLOWED_TRANSITIONS = {'a': {'b'}, 'b': {'a'}}

    def __init__(self, **kw):
        super().__init__(valid_values=['a', 'b'], **kw)


def remotable_cls(signature):
    ns = {'base': base}
    exec('@base.remotable\ndef save(self, context%s):\n    pass\n' % signature, ns)
    return make(flds=BASE, extra={'save': ns['save']})


CASES = {
    'field added': (make(flds=BASE), make(flds={**BASE, 'size': fields.IntegerField()})),
    'field removed': (make(flds={**BASE, 'size': fields.IntegerField()}), make(flds=BASE)),
    'field type changed (String to Integer)': (make(flds=BASE), make(flds={'name': fields.IntegerField()})),
    'made nullable': (make(flds=BASE), make(flds={'name': fields.StringField(nullable=True)})),
    'default added': (make(flds=BASE), make(flds={'name': fields.StringField(default='x')})),
    'default changed': (make(flds={'name': fields.StringField(default='x')}), make(flds={'name': fields.StringField(default='y')})),
    'enum value added': (make(flds={'kind': fields.EnumField(['a', 'b'])}), make(flds={'kind': fields.EnumField(['a', 'b', 'c'])})),
    'state transitions changed': (make(flds={'state': States()}), make(flds={'state': OtherStates()})),
    'list element type changed': (make(flds={'tags': fields.ListOfStringsField()}), make(flds={'tags': fields.ListOfIntegersField()})),
    'dict value type changed': (make(flds={'meta': fields.DictOfStringsField()}), make(flds={'meta': fields.DictOfIntegersField()})),
    'object target changed': (make(flds={'child': fields.ObjectField('A')}), make(flds={'child': fields.ObjectField('B')})),
    'object accepts subclasses': (make(flds={'child': fields.ObjectField('A')}), make(flds={'child': fields.ObjectField('A', subclasses=True)})),
    'made read-only': (make(flds=BASE), make(flds={'name': fields.StringField(read_only=True)})),
    'DateTime made timezone-naive': (make(flds={'at': fields.DateTimeField()}), make(flds={'at': fields.DateTimeField(tzinfo_aware=False)})),
    'namespace changed': (make(flds=BASE), make(flds=BASE, extra={'OBJ_PROJECT_NAMESPACE': 'other'})),
    'relationships changed': (make(flds={'child': fields.ObjectField('A')}, extra={'obj_relationships': {'child': [('1.0', '1.0')]}}),
                              make(flds={'child': fields.ObjectField('A')}, extra={'obj_relationships': {'child': [('1.0', '1.1')]}})),
    'list child_versions changed': (make(flds={'objects': fields.ListOfObjectsField('A')}, extra={'child_versions': {'1.0': '1.0'}}),
                                    make(flds={'objects': fields.ListOfObjectsField('A')}, extra={'child_versions': {'1.0': '1.1'}})),
    'remotable method added': (make(flds=BASE), remotable_cls('')),
    'remotable signature changed': (remotable_cls(''), remotable_cls(', force=False')),
    'field declaration order changed': (make(flds={'a': fields.StringField(), 'b': fields.IntegerField()}), make(flds={'b': fields.IntegerField(), 'a': fields.StringField()})),
}

json.dump({case: changed(*pair) for case, pair in CASES.items()}, sys.stdout, indent=1)
print()
