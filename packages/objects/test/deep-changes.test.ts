import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ObjectRegistry, VersionedObject, f, field, versionedObject, type Primitive } from '../src/index.js';
import { envelopeKeys } from '../src/meta.js';

// The encoder learns whether a child has changes as it encodes it, rather than walking the subtree again at
// every level: the envelope's `changes` must still be whatChanged() at every depth, whatever changed where.
const registry = new ObjectRegistry();
const keys = envelopeKeys('versioned_object');
const history = [
  { version: '1.0', note: 'Initial version', children: { child: '1.0', kids: '1.0', odd: '1.0' } },
  { version: '1.1', note: 'Adds note', added: ['note'], children: { child: '1.1', kids: '1.1', odd: '1.1' } },
];

@versionedObject({ name: 'Node', version: '1.1', registry, history })
class Node extends VersionedObject {
  @field(f.integer()) declare n: number;
  @field(f.string()) declare note: string;
  @field(f.dict(f.string())) declare meta: Record<string, string>;
  @field(f.object<Node>('Node'), { nullable: true }) declare child: Node | null;
  @field(f.listOfObjects<Node>('Node')) declare kids: Node[];
  @field(f.object<Odd>('Odd'), { nullable: true }) declare odd: Odd | null;
}

/** A class with its own whatChanged(), as Cinder's: `flag` counts as changed whenever it is true. */
@versionedObject({
  name: 'Odd',
  version: '1.1',
  registry,
  history: [
    { version: '1.0', note: 'Initial version', children: { child: '1.0' } },
    { version: '1.1', note: 'v' },
  ],
})
class Odd extends VersionedObject {
  @field(f.boolean()) declare flag: boolean;
  @field(f.object<Node>('Node'), { nullable: true }) declare child: Node | null;
  override whatChanged(): Set<string> {
    const changes = super.whatChanged();
    if (this.$values.flag === true) changes.add('flag');
    return changes;
  }
}

type Shape = { kids: Shape[]; chain: number; odd: boolean; flag: boolean };
/** Up to 4 levels of branching, each with a chain of up to 12 nodes below it: trees up to ~60 levels deep. */
function shapeAt(depth: number): fc.Arbitrary<Shape> {
  const kids: fc.Arbitrary<Shape[]> = depth === 0 ? fc.constant<Shape[]>([]) : fc.array(shapeAt(depth - 1), { maxLength: 2 });
  return fc.record({ kids, chain: fc.nat({ max: 12 }), odd: fc.boolean(), flag: fc.boolean() });
}
const shape = shapeAt(3);

function build(s: Shape, counter: { n: number }, all: Node[]): Node {
  let chain: Node | null = null;
  for (let i = 0; i < s.chain; i++) chain = Node.create({ n: counter.n++, note: 'c', meta: { k: 'v' }, child: chain, kids: [], odd: null });
  const odd = s.odd
    ? Odd.create({ flag: s.flag, child: Node.create({ n: counter.n++, note: 'o', meta: {}, child: null, kids: [], odd: null }) })
    : null;
  const node = Node.create({
    n: counter.n++,
    note: 'x',
    meta: { a: 'b' },
    child: chain,
    kids: s.kids.map((k) => build(k, counter, all)),
    odd,
  });
  for (let c: Node | null = chain; c; c = c.child) all.push(c);
  if (odd?.child) all.push(odd.child);
  all.push(node);
  return node;
}

/** Walk the objects and their envelopes together: each envelope's changes is whatChanged() limited to what was sent. */
function check(obj: VersionedObject, p: Primitive): void {
  const data = p[keys.data] as Record<string, unknown>;
  const changed = obj.whatChanged();
  // Declaration order.
  const order = obj instanceof Odd ? ['flag', 'child'] : ['n', 'note', 'meta', 'child', 'kids', 'odd'];
  const expected = order.filter((name) => changed.has(name) && Object.hasOwn(data, name));
  assert.deepEqual(p[keys.changes], expected.length ? expected : undefined, `changes of ${obj.objName} ${JSON.stringify(data.n ?? '')}`);
  const values = (obj as unknown as { $values: Record<string, unknown> }).$values;
  for (const name of ['child', 'odd']) {
    if (values[name] && data[name]) check(values[name] as VersionedObject, data[name] as Primitive);
  }
  const kids = values.kids as Node[] | undefined;
  kids?.forEach((k, i) => {
    check(k, (data.kids as Primitive[])[i]!);
  });
}

test("deep trees: every level's changes is its whatChanged(), for assignments, in-place changes and overrides anywhere", () => {
  fc.assert(
    fc.property(
      shape,
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('assign', 'in-place', 'read', 'odd')), { maxLength: 4 }),
      fc.boolean(),
      (s, edits, backport) => {
        const all: Node[] = [];
        const root = build(s, { n: 0 }, all);
        root.resetChanges(undefined, { recursive: true });
        for (const [at, kind] of edits) {
          const node = all[at % all.length]!;
          if (kind === 'assign') node.note = 'changed';
          else if (kind === 'in-place') node.meta.k = 'changed in place';
          else if (kind === 'read')
            void node.meta; // read, not changed: no change
          else if (node.odd) node.odd.flag = true;
        }
        const p = root.toPrimitive(backport ? { targetVersion: '1.0' } : {});
        check(root, p);
      },
    ),
    { numRuns: 300 },
  );
});
