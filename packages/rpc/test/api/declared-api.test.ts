import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ObjectRegistry, VersionedObject, f, field, versionedObject, compareVersions } from '@versioned/objects';
import { InMemoryTransport, ObjectsRpcSerializer, RpcServer, defineRpcApi, isRpcError, type VersionSpec } from '../../src/index.js';
import { fromFailure } from '../../src/failure.js';
import { RecordingTransport } from '../helpers.js';

const registry = new ObjectRegistry();

@versionedObject({ name: 'Disk', version: '1.0', registry })
class Disk extends VersionedObject {
  @field(f.uuid()) declare id: string;
  @field(f.integer()) declare size: number;
}

const volumeApi = defineRpcApi({
  topic: 'volume',
  history: [
    {
      version: '1.0',
      release: 'N',
      note: 'Initial version',
      methods: {
        create: { args: { disk: f.object<Disk>('Disk'), name: f.string() }, result: f.object<Disk>('Disk') },
        ping: { result: f.string() },
      },
    },
    {
      version: '1.1',
      release: 'N+1',
      note: 'create() takes zone; adds extend',
      args: { create: { zone: { type: f.string(), default: 'nova' } } },
      methods: {
        extend: { args: { id: f.uuid(), size: f.integer() }, result: f.integer(), ifCapped: { method: 'ping', args: () => ({}) } },
      },
    },
    {
      version: '1.2',
      release: 'N+1',
      note: 'create() takes tags',
      args: { create: { tags: { type: f.list(f.string()), optional: true, ifCapped: 'drop' } } },
    },
  ],
});

const DISK_ID = '9b1a5b84-2f5e-4a55-8d5a-6b8d0f8e5a11';
const seen: { method: string; args: Record<string, unknown>; version: string }[] = [];
const implementation = {
  create: (_ctx: unknown, args: { disk: Disk; name: string; zone: string; tags?: string[] }, call: { version: string }) => {
    seen.push({ method: 'create', args, version: call.version });
    return args.disk;
  },
  ping: () => 'pong',
  extend: (_ctx: unknown, args: { id: string; size: number }) => args.size,
};

async function pair(cap?: string) {
  const transport = new InMemoryTransport();
  const serializer = new ObjectsRpcSerializer({ registry });
  const server = new RpcServer({
    transport,
    target: { topic: 'volume', server: 'h1' },
    serializer,
    endpoints: volumeApi.endpoints(implementation),
  });
  await server.start();
  const client = volumeApi.client({ transport, serializer, versionCap: cap, timeoutMs: 1000 });
  return { client, server, transport };
}

test('each call goes at the lowest version that has the method and every argument passed', async () => {
  const transport = new RecordingTransport({ result: null });
  const client = volumeApi.client({ transport });
  const disk = Disk.create({ id: DISK_ID, size: 1 });
  await client.cast({}, 'create', { disk, name: 'a' });
  await client.cast({}, 'create', { disk, name: 'a', zone: 'z' });
  await client.cast({}, 'create', { disk, name: 'a', tags: ['x'] });
  await client.cast({}, 'create', { disk, name: 'a', zone: undefined });
  await client.cast({}, 'extend', { id: DISK_ID, size: 2 });
  assert.deepEqual(
    transport.sent.map((s) => s.message.version),
    ['1.0', '1.1', '1.2', '1.0', '1.1'],
  );
});

test('under a cap: a droppable argument is dropped, a method with an alternative calls it, anything else fails before sending naming method, argument and version', async () => {
  const transport = new RecordingTransport({ result: 'pong' });
  const client = volumeApi.client({ transport, versionCap: '1.0' });
  const disk = Disk.create({ id: DISK_ID, size: 1 });
  await client.cast({}, 'create', { disk, name: 'a', tags: ['x'] });
  assert.deepEqual(Object.keys(transport.sent[0]?.message.args ?? {}).sort(), ['disk', 'name']);
  assert.equal(await client.call({}, 'extend', { id: DISK_ID, size: 2 }), 'pong');
  assert.equal(transport.sent[1]?.message.method, 'ping');
  await assert.rejects(client.cast({}, 'create', { disk, name: 'a', zone: 'z' }), (err: unknown) => {
    assert.ok(isRpcError(err, 'version_cap'));
    assert.deepEqual([err.details['method'], err.details['argument'], err.details['needed']], ['create', 'zone', '1.1']);
    assert.match(err.message, /volume\.argument create\.zone needs version 1\.1, above the version cap 1\.0/);
    return true;
  });
  assert.equal(transport.sent.length, 2);
  assert.equal(client.canSendVersion('1.1'), false);
  assert.equal(client.prepare({ versionCap: '1.2' }).canSendVersion('1.1'), true);
});

test('a bad argument is refused by the client before sending, naming method.argument and the path inside', async () => {
  const transport = new RecordingTransport();
  const client = volumeApi.client({ transport });
  await assert.rejects(
    client.call({}, 'extend', { id: 'not-a-uuid', size: 2 }),
    (err: unknown) => isRpcError(err, 'invalid_argument') && /^invalid_argument: extend\.id: expected a UUID/.test(err.message),
  );
  await assert.rejects(
    client.call({}, 'create', {
      disk: Disk.create({ id: DISK_ID, size: 1 }),
      name: 'a',
      tags: ['ok', 3 as unknown as string, true as unknown as string],
    }),
    (err: unknown) => isRpcError(err, 'invalid_argument') && err.details['path'] === 'create.tags[2]',
  );
  assert.equal(transport.sent.length, 0);
});

test('the server decodes arguments by their types: a bad one is a typed error returned to the caller, and the method never runs', async () => {
  const { server } = await pair();
  seen.length = 0;
  const reply = await server.handle({
    method: 'create',
    version: '1.2',
    namespace: null,
    context: {},
    args: {
      disk: {
        'versioned_object.name': 'Disk',
        'versioned_object.namespace': 'versionedobjects',
        'versioned_object.version': '1.0',
        'versioned_object.data': { id: DISK_ID, size: 1 },
      },
      name: 'a',
      tags: ['a', null],
    },
  });
  assert.ok(reply.failure);
  const err = fromFailure(reply.failure, []);
  assert.ok(isRpcError(err, 'invalid_argument'), String(err));
  assert.equal(err.details['path'], 'create.tags[1]');
  assert.match(err.message, /create\.tags\[1\]: expected a string, got null/);
  assert.equal(seen.length, 0);
  const envelopeBad = await server.handle({
    method: 'create',
    version: '1.0',
    namespace: null,
    context: {},
    args: {
      disk: {
        'versioned_object.name': 'Disk',
        'versioned_object.namespace': 'versionedobjects',
        'versioned_object.version': '1.0',
        'versioned_object.data': { id: DISK_ID, size: 'big' },
      },
      name: 'a',
    },
  });
  assert.match(String(envelopeBad.failure?.message), /create\.disk\.Disk\.size: expected an integer, got "big"/);
  assert.equal(seen.length, 0);
});

test('the server refuses arguments the called version does not have, and fills defaults an older caller omits', async () => {
  const { server } = await pair();
  seen.length = 0;
  const disk = {
    'versioned_object.name': 'Disk',
    'versioned_object.namespace': 'versionedobjects',
    'versioned_object.version': '1.0',
    'versioned_object.data': { id: DISK_ID, size: 1 },
  };
  const tooNew = await server.handle({
    method: 'create',
    version: '1.0',
    namespace: null,
    context: {},
    args: { disk, name: 'a', zone: 'z' },
  });
  assert.match(String(tooNew.failure?.message), /create\.zone: new in 1\.1, but the call is at 1\.0/);
  const unknown = await server.handle({
    method: 'create',
    version: '1.2',
    namespace: null,
    context: {},
    args: { disk, name: 'a', colour: 'red' },
  });
  assert.match(String(unknown.failure?.message), /create\.colour: not an argument of create/);
  const methodTooNew = await server.handle({
    method: 'extend',
    version: '1.0',
    namespace: null,
    context: {},
    args: { id: DISK_ID, size: 2 },
  });
  assert.equal(fromFailure(methodTooNew.failure as never, []).name, 'RpcError');
  assert.match(String(methodTooNew.failure?.message), /no method "extend" \(it is new in 1\.1\)/);
  const missing = await server.handle({ method: 'create', version: '1.0', namespace: null, context: {}, args: { disk } });
  assert.match(String(missing.failure?.message), /create\.name: missing/);
  assert.equal(seen.length, 0);
  const ok = await server.handle({ method: 'create', version: '1.0', namespace: null, context: {}, args: { disk, name: 'a' } });
  assert.equal(ok.failure, undefined);
  assert.deepEqual([seen[0]?.args.zone, 'tags' in (seen[0]?.args ?? {}), seen[0]?.version], ['nova', false, '1.0']);
  assert.equal(server.dispatcher.served()[0]?.version, '1.2');
});

test('a declared call end to end: an object argument and result, the result decoded by its type', async () => {
  const { client, transport } = await pair();
  const back = await client.call({}, 'create', { disk: Disk.create({ id: DISK_ID, size: 5 }), name: 'a' });
  assert.ok(back instanceof Disk);
  assert.equal(back.size, 5);
  assert.equal(await client.call({}, 'ping'), 'pong');
  await transport.close();
});

test('inconsistent histories are refused with invalid_api naming the entry', () => {
  const bad: [VersionSpec[], RegExp][] = [
    [[], /empty/],
    [[{ version: '1.1', release: 'N', note: 'x', methods: { a: {} } }], /starts at a major/],
    [
      [
        { version: '1.0', release: 'N', note: 'x', methods: { a: {} } },
        { version: '1.2', release: 'N', note: 'y', methods: { b: {} } },
      ],
      /after 1\.0 comes 1\.1/,
    ],
    [
      [
        { version: '1.0', release: 'N', note: 'x', methods: { a: {} } },
        { version: '1.1', release: 'N', note: 'y', args: { a: { z: f.string() } } },
      ],
      /give it a default, or make it optional/,
    ],
    [
      [
        { version: '1.0', release: 'N', note: 'x', methods: { a: {} } },
        { version: '1.1', release: 'N', note: 'y', methods: { a: {} } },
      ],
      /change it only at a new major/,
    ],
    [
      [
        { version: '1.0', release: 'N', note: 'x', methods: { a: {} } },
        { version: '1.1', release: 'M', note: 'y', methods: { b: {} } },
        { version: '1.2', release: 'N', note: 'z', methods: { c: {} } },
      ],
      /comes again/,
    ],
    [[{ version: '1.0', release: 'N', note: '', methods: { a: {} } }], /note/],
    [[{ version: '1.0', release: 'N', note: 'x', methods: { constructor: {} } }], /not a valid method name/],
    [
      [{ version: '1.0', release: 'N', note: 'x', methods: { a: { args: { n: { type: f.integer(), default: 'x' as never } } } } }],
      /default does not fit/,
    ],
  ];
  for (const [history, message] of bad) {
    assert.throws(
      () => defineRpcApi({ topic: 't', history }),
      (err: unknown) => isRpcError(err, 'invalid_api') && message.test(err.message),
      JSON.stringify(history.map((h) => h.version)),
    );
  }
});

// ---- Randomized: histories, calls and what the server accepts ----

type Arg = { name: string; since: number; required: boolean; drop?: boolean };
type Method = { name: string; since: number; args: Arg[] };

/** A random single-major history: each minor adds a method or an argument (with a default, perhaps droppable under a cap) to an older method. */
const historyArb = fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.boolean()), { minLength: 0, maxLength: 8 }).chain((steps) =>
  fc.tuple(fc.constant(steps), fc.integer({ min: 0, max: 3 })).map(([steps, requiredAt0]) => {
    const methods: Method[] = [
      { name: 'm0', since: 0, args: Array.from({ length: requiredAt0 }, (_, i) => ({ name: `a${i}`, since: 0, required: i % 2 === 0 })) },
    ];
    steps.forEach(([newMethod, pick, optional], i) => {
      const minor = i + 1;
      if (newMethod) methods.push({ name: `m${methods.length}`, since: minor, args: [{ name: 'x', since: minor, required: true }] });
      else {
        const m = methods[pick % methods.length] as Method;
        m.args.push({ name: `b${minor}`, since: minor, required: false, drop: optional });
      }
    });
    return { methods, newest: steps.length };
  }),
);

function declare(h: { methods: Method[]; newest: number }) {
  const history: VersionSpec[] = [];
  for (let minor = 0; minor <= h.newest; minor++) {
    const methods = Object.fromEntries(
      h.methods
        .filter((m) => m.since === minor)
        .map((m) => [
          m.name,
          {
            args: Object.fromEntries(
              m.args.filter((a) => a.since === minor).map((a) => [a.name, a.required ? f.integer() : { type: f.integer(), default: 7 }]),
            ),
          },
        ]),
    );
    const args = Object.fromEntries(
      h.methods
        .filter((m) => m.since < minor && m.args.some((a) => a.since === minor))
        .map((m) => [
          m.name,
          Object.fromEntries(
            m.args
              .filter((a) => a.since === minor)
              .map((a) => [a.name, { type: f.integer(), default: 7, ...(a.drop ? { ifCapped: 'drop' as const } : {}) }]),
          ),
        ]),
    );
    history.push({
      version: `1.${minor}`,
      release: `R${Math.floor(minor / 3)}`,
      note: `step ${minor}`,
      ...(Object.keys(methods).length ? { methods } : {}),
      ...(Object.keys(args).length ? { args } : {}),
      ...(minor > 0 && !Object.keys(methods).length && !Object.keys(args).length ? { methods: { [`empty${minor}`]: {} } } : {}),
    });
    if (minor > 0 && !Object.keys(methods).length && !Object.keys(args).length)
      h.methods.push({ name: `empty${minor}`, since: minor, args: [] });
  }
  return defineRpcApi({ topic: 'random', history });
}

test('random histories and calls: the client sends at the lowest version having the method and every argument passed', () => {
  fc.assert(
    fc.property(historyArb, fc.nat(), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (h, pick, include) => {
      const api = declare(h);
      const m = h.methods[pick % h.methods.length] as Method;
      const args = Object.fromEntries(m.args.filter((a, i) => a.required || include[i % include.length]).map((a) => [a.name, 1]));
      const expected = Math.max(m.since, ...m.args.filter((a) => a.name in args).map((a) => a.since));
      const planned = api.client({ transport: new RecordingTransport() }).plan(m.name as never, args as never);
      assert.equal(planned.version, `1.${expected}`);
    }),
    { numRuns: 200 },
  );
});

test('random histories: the server accepts a call exactly when its version declares the method and every argument sent', async () => {
  await fc.assert(
    fc.asyncProperty(
      historyArb,
      fc.nat(),
      fc.nat(),
      fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      async (h, pick, at, include) => {
        const api = declare(h);
        const m = h.methods[pick % h.methods.length] as Method;
        const version = at % (h.newest + 1);
        const impl = Object.fromEntries(h.methods.map((x) => [x.name, (_c: unknown, a: Record<string, unknown>) => a]));
        const server = new RpcServer({
          transport: new RecordingTransport(),
          target: { topic: 'random' },
          endpoints: api.endpoints(impl as never),
        });
        const sent = m.args.filter((_, i) => include[i % include.length]);
        const reply = await server.handle({
          method: m.name,
          version: `1.${version}`,
          namespace: null,
          context: {},
          args: Object.fromEntries(sent.map((a) => [a.name, 3])),
        });
        const declared = m.since <= version && sent.every((a) => a.since <= version);
        const complete = m.args.every((a) => !a.required || sent.includes(a));
        assert.equal(reply.failure === undefined, declared && complete, JSON.stringify({ reply, version, m, sent }));
        if (reply.failure === undefined) {
          // Every argument the implementation expects arrives: defaults fill the ones an older caller omitted.
          const result = reply.result as Record<string, unknown>;
          for (const a of m.args) assert.equal(result[a.name], sent.includes(a) ? 3 : 7);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test("arguments and results travel in their field type's wire form: a DateTime as oslo's text, a Set as a list", async () => {
  const api = defineRpcApi({
    topic: 'clock',
    history: [
      {
        version: '1.0',
        release: 'N',
        note: 'Initial',
        methods: { shift: { args: { at: f.dateTime(), tags: f.set(f.string()) }, result: f.dateTime() } },
      },
    ],
  });
  const recording = new RecordingTransport({ result: '2026-01-02T03:04:05Z' });
  const back = await api
    .client({ transport: recording })
    .call({}, 'shift', { at: new Date('2026-01-02T03:04:05.678Z'), tags: new Set(['a', 'b']) });
  assert.deepEqual(recording.sent[0]?.message.args, { at: '2026-01-02T03:04:05Z', tags: ['a', 'b'] });
  assert.ok(back instanceof Date && back.getTime() === Date.UTC(2026, 0, 2, 3, 4, 5));
  const server = new RpcServer({
    transport: new RecordingTransport(),
    target: { topic: 'clock' },
    endpoints: api.endpoints({ shift: (_c, { at, tags }) => (assert.ok(tags instanceof Set), new Date(at.getTime() + 1000)) }),
  });
  const reply = await server.handle({
    method: 'shift',
    version: '1.0',
    namespace: null,
    context: {},
    args: { at: '2026-01-02T03:04:05Z', tags: ['x'] },
  });
  assert.deepEqual(reply, { result: '2026-01-02T03:04:06Z' });
});

test('a result that does not fit its declared type is a typed error for the caller, not a crash', async () => {
  const api = defineRpcApi({
    topic: 't',
    history: [{ version: '1.0', release: 'N', note: 'Initial', methods: { count: { result: f.integer() } } }],
  });
  const server = new RpcServer({
    transport: new RecordingTransport(),
    target: { topic: 't' },
    endpoints: api.endpoints({ count: () => 'many' as unknown as number }),
  });
  const reply = await server.handle({ method: 'count', version: '1.0', namespace: null, context: {}, args: {} });
  assert.match(String(reply.failure?.message), /the result of t\.count: expected an integer, got "many"/);
  const client = api.client({ transport: new RecordingTransport({ result: 'many' }) });
  await assert.rejects(
    client.call({}, 'count'),
    (err: unknown) => isRpcError(err, 'invalid_message') && /the result of t\.count/.test(err.message),
  );
});

test("a declaration's mapping that throws or returns no object is an invalid_api error naming it, never a TypeError", async () => {
  const api = defineRpcApi({
    topic: 't',
    history: [
      { version: '1.0', release: 'N', note: 'Initial', methods: { old: { args: { a: f.integer() } } } },
      {
        version: '2.0',
        release: 'N+1',
        note: 'new',
        methods: { old: { args: { b: f.integer() } } },
        previous: {
          old: {
            upgrade: () => null as never,
            downgrade: () => {
              throw new Error('no way back');
            },
          },
        },
      },
    ],
  });
  assert.throws(
    () => api.client({ transport: new RecordingTransport(), versionCap: '1.0' }).plan('old', { b: 1 }),
    (err: unknown) => isRpcError(err, 'invalid_api') && /previous\.old\.downgrade threw: no way back/.test(err.message),
  );
  const server = new RpcServer({
    transport: new RecordingTransport(),
    target: { topic: 't' },
    endpoints: api.endpoints({ old: () => undefined }),
  });
  const reply = await server.handle({ method: 'old', version: '1.0', namespace: null, context: {}, args: { a: 1 } });
  assert.match(String(reply.failure?.message), /previous\.old\.upgrade must return an object/);
  assert.throws(
    () =>
      defineRpcApi({
        topic: 't',
        history: [
          { version: '1.0', release: 'N', note: 'x', methods: { a: {} } },
          { version: '1.1', release: 'N', note: 'y', methods: { b: { ifCapped: { method: 'nope' } } } },
        ],
      }),
    (err: unknown) => isRpcError(err, 'invalid_api') && /ifCapped\.method: "nope" is not a method/.test(err.message),
  );
});

test('hostile argument names never reach the implementation or the prototype', async () => {
  const server = new RpcServer({
    transport: new RecordingTransport(),
    target: { topic: 'volume' },
    endpoints: volumeApi.endpoints(implementation),
  });
  const args = JSON.parse('{"__proto__": {"polluted": true}, "id": "9b1a5b84-2f5e-4a55-8d5a-6b8d0f8e5a11", "size": 2}') as Record<
    string,
    unknown
  >;
  const reply = await server.handle({ method: 'extend', version: '1.1', namespace: null, context: {}, args });
  assert.match(String(reply.failure?.message), /extend\.__proto__: not an argument of extend/);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test("a namespaced API's client and endpoint meet in their namespace; the default namespace does not reach it", async () => {
  const admin = defineRpcApi({
    topic: 'volume',
    namespace: 'admin',
    history: [{ version: '1.0', release: 'N', note: 'Initial', methods: { ping: { result: f.string() } } }],
  });
  const transport = new InMemoryTransport();
  const server = new RpcServer({ transport, target: { topic: 'volume' }, endpoints: admin.endpoints({ ping: () => 'admin-pong' }) });
  await server.start();
  assert.equal(await admin.client({ transport }).call({}, 'ping'), 'admin-pong');
  const plain = defineRpcApi({
    topic: 'volume',
    history: [{ version: '1.0', release: 'N', note: 'Initial', methods: { ping: { result: f.string() } } }],
  });
  await assert.rejects(plain.client({ transport, timeoutMs: 1000 }).call({}, 'ping'), (err: unknown) =>
    isRpcError(err, 'unsupported_version'),
  );
  assert.equal(admin.describe().namespace, 'admin');
  await transport.close();
});

test('random histories, calls and caps: a planned call is at or under the cap and the server accepts it; a refused one needs more than the cap', async () => {
  await fc.assert(
    fc.asyncProperty(
      historyArb,
      fc.nat(),
      fc.nat(),
      fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      async (h, pick, capAt, include) => {
        const api = declare(h);
        const m = h.methods[pick % h.methods.length] as Method;
        const cap = `1.${capAt % (h.newest + 1)}`;
        const args = Object.fromEntries(m.args.filter((a, i) => a.required || include[i % include.length]).map((a) => [a.name, 4]));
        const impl = Object.fromEntries(h.methods.map((x) => [x.name, (_c: unknown, a: Record<string, unknown>) => a]));
        const server = new RpcServer({
          transport: new RecordingTransport(),
          target: { topic: 'random' },
          endpoints: api.endpoints(impl as never),
        });
        let planned;
        try {
          planned = api.client({ transport: new RecordingTransport(), versionCap: cap }).plan(m.name as never, args as never);
        } catch (err) {
          assert.ok(isRpcError(err, 'version_cap'), String(err));
          assert.ok(compareVersions(String(err.details['needed']), cap) > 0);
          return;
        }
        assert.ok(compareVersions(planned.version, cap) <= 0);
        // Only declared-droppable arguments were left out.
        for (const name of Object.keys(args)) if (!(name in planned.args)) assert.ok(m.args.find((a) => a.name === name)?.drop, name);
        const reply = await server.handle({
          method: planned.method,
          version: planned.version,
          namespace: null,
          context: {},
          args: planned.args,
        });
        assert.equal(reply.failure, undefined, JSON.stringify(reply.failure));
      },
    ),
    { numRuns: 150 },
  );
});
