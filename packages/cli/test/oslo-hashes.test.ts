import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ObjectRegistry,
  VersionedObject,
  f,
  field,
  remotable,
  versionedObject,
  type FieldType,
  type HistoryEntry,
} from '@versioned/objects';
import { fingerprintRegistry } from '../src/fingerprint.js';

/**
 * What oslo 3.0.1's ObjectVersionChecker.get_hashes() notices, measured by scripts/oslo-hash-sensitivity.py one
 * change at a time, next to what the versioned fingerprint notices for the same change; docs/fingerprint.md's
 * table must say exactly this.
 */

const SCRIPT = fileURLToPath(new URL('../../scripts/oslo-hash-sensitivity.py', import.meta.url));
const DOC = fileURLToPath(new URL('../../../../docs/fingerprint.md', import.meta.url));

interface Shape {
  fields: Record<string, [FieldType<unknown>, Record<string, unknown>?]>;
  namespace?: string;
  history?: HistoryEntry[];
  remotable?: number; // arity of a remotable `save`, when there is one
  childVersion?: string; // the version of the registered child class A
}

/** The fingerprint of class Thing with `shape`, in a registry of its own (with children A and B). */
function fingerprint(shape: Shape): string {
  const registry = new ObjectRegistry();
  for (const name of ['A', 'B']) {
    const child = class extends VersionedObject {};
    field(f.string())(child.prototype as never, 'id');
    const version = name === 'A' ? (shape.childVersion ?? '1.0') : '1.0';
    const history =
      version === '1.0'
        ? undefined
        : [
            { version: '1.0', note: 'i' },
            { version, note: 'n' },
          ];
    versionedObject({ name, version, registry, ...(history ? { history } : {}) })(child);
  }
  const Thing = class extends VersionedObject {};
  for (const [name, [type, options]] of Object.entries(shape.fields)) field(type, options ?? {})(Thing.prototype as never, name);
  if (shape.remotable !== undefined) {
    const save = shape.remotable === 0 ? function save(this: unknown) {} : function save(this: unknown, _force: boolean) {};
    Object.defineProperty(Thing.prototype, 'save', { value: save, configurable: true, writable: true });
    remotable()(Thing.prototype, 'save', Object.getOwnPropertyDescriptor(Thing.prototype, 'save') as PropertyDescriptor);
  }
  versionedObject({
    name: 'Thing',
    version: '1.0',
    registry,
    ...(shape.namespace ? { namespace: shape.namespace } : {}),
    ...(shape.history ? { history: shape.history } : {}),
  })(Thing);
  return fingerprintRegistry(registry).get('Thing')?.fingerprint as string;
}

const name: Shape['fields'] = { name: [f.string()] };
const CASES: Record<string, [Shape, Shape]> = {
  'field added': [{ fields: name }, { fields: { ...name, size: [f.integer()] } }],
  'field removed': [{ fields: { ...name, size: [f.integer()] } }, { fields: name }],
  'field type changed (String to Integer)': [{ fields: name }, { fields: { name: [f.integer()] } }],
  'made nullable': [{ fields: name }, { fields: { name: [f.string(), { nullable: true }] } }],
  'default added': [{ fields: name }, { fields: { name: [f.string(), { default: 'x' }] } }],
  'default changed': [{ fields: { name: [f.string(), { default: 'x' }] } }, { fields: { name: [f.string(), { default: 'y' }] } }],
  'enum value added': [{ fields: { kind: [f.enum(['a', 'b'])] } }, { fields: { kind: [f.enum(['a', 'b', 'c'])] } }],
  'state transitions changed': [
    { fields: { state: [f.stateMachine({ a: ['b'], b: [] })] } },
    { fields: { state: [f.stateMachine({ a: ['b'], b: ['a'] })] } },
  ],
  'list element type changed': [{ fields: { tags: [f.list(f.string())] } }, { fields: { tags: [f.list(f.integer())] } }],
  'dict value type changed': [{ fields: { meta: [f.dict(f.string())] } }, { fields: { meta: [f.dict(f.integer())] } }],
  'object target changed': [{ fields: { child: [f.object('A')] } }, { fields: { child: [f.object('B')] } }],
  'object accepts subclasses': [{ fields: { child: [f.object('A')] } }, { fields: { child: [f.object('A', { subclasses: true })] } }],
  'made read-only': [{ fields: name }, { fields: { name: [f.string(), { readOnly: true }] } }],
  // oslo's DateTime option is tzinfo_aware; this library's is the precision.
  'DateTime made timezone-naive': [{ fields: { at: [f.dateTime()] } }, { fields: { at: [f.dateTime({ precision: 'millisecond' })] } }],
  'namespace changed': [{ fields: name }, { fields: name, namespace: 'other' }],
  'relationships changed': [
    { fields: { child: [f.object('A')] }, history: [{ version: '1.0', note: 'i', children: { child: '1.0' } }] },
    { fields: { child: [f.object('A')] }, history: [{ version: '1.0', note: 'i', children: { child: '1.1' } }] },
  ],
  // oslo hashes a list's child_versions; here every object field records its child's current version.
  'list child_versions changed': [
    { fields: { objects: [f.listOfObjects('A')] } },
    { fields: { objects: [f.listOfObjects('A')] }, childVersion: '1.1' },
  ],
  'remotable method added': [{ fields: name }, { fields: name, remotable: 0 }],
  'remotable signature changed': [
    { fields: name, remotable: 0 },
    { fields: name, remotable: 1 },
  ],
  'field declaration order changed': [{ fields: { a: [f.string()], b: [f.integer()] } }, { fields: { b: [f.integer()], a: [f.string()] } }],
};

test('docs/fingerprint.md says what oslo 3.0.1 get_hashes() and the versioned fingerprint notice, as measured', () => {
  const oslo = JSON.parse(execFileSync('/usr/bin/python3', [SCRIPT], { encoding: 'utf8' })) as Record<string, boolean>;
  assert.deepEqual(Object.keys(oslo), Object.keys(CASES), 'the same cases on both sides');
  const ours = Object.fromEntries(
    Object.entries(CASES).map(([label, [before, after]]) => [label, fingerprint(before) !== fingerprint(after)]),
  );
  // The measured facts the docs rely on: oslo misses these; the fingerprint here notices every schema change.
  assert.equal(oslo['default changed'], true);
  assert.equal(oslo['enum value added'], true);
  assert.equal(oslo['list element type changed'], false);
  assert.equal(ours['field declaration order changed'], false);

  const doc = readFileSync(DOC, 'utf8');
  const table = /<!-- oslo-hashes:start -->\n([\s\S]*?)<!-- oslo-hashes:end -->/.exec(doc)?.[1];
  assert.ok(table, 'docs/fingerprint.md has the measured table');
  const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| change') && !l.startsWith('| ---'));
  const documented = Object.fromEntries(
    rows.map((row) => {
      const [label, osloCell, oursCell] = row
        .split('|')
        .slice(1, 4)
        .map((c) => c.trim());
      return [label?.replace(/ \(.*\)$/, '') ?? '', { oslo: /^yes/.test(osloCell ?? ''), ours: /^yes/.test(oursCell ?? '') }];
    }),
  );
  const measured = Object.fromEntries(
    Object.keys(CASES).map((label) => [label.replace(/ \(.*\)$/, ''), { oslo: oslo[label], ours: ours[label] }]),
  );
  assert.deepEqual(documented, measured);
});
