import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { f, type FieldType } from '@versioned/objects';
import { defineRpcApi, type VersionSpec } from '@versioned/rpc';
import { checkRpcApis, rpcApiKey, type RpcApiRecord } from '../src/rpc-check.js';
import { TempProject, ATTACHMENT_1_0, objectModule } from './helpers.js';

/** An API module as a user compiles it: `export const volumeApi = defineRpcApi({...})`, the history given as JS. */
function apiModule(history: string): string {
  return `import { f } from '@versioned/objects';\nimport { defineRpcApi } from '@versioned/rpc';\nexport const volumeApi = defineRpcApi({ topic: 'volume', history: ${history} });\n`;
}

const V1_0 = `{ version: '1.0', release: 'N', note: 'Initial version', methods: { create_volume: { args: { volume_id: f.uuid(), size: f.integer() }, result: f.string() }, get_volume: { args: { volume_id: f.uuid() } } } }`;
const V1_1 = `{ version: '1.1', release: 'N+1', note: 'create_volume takes zone', args: { create_volume: { zone: { type: f.string(), default: 'nova' } } } }`;
const BASE = `[${V1_0}, ${V1_1}]`;

async function lockedProject(history = BASE): Promise<TempProject> {
  const project = await TempProject.create();
  await project.linkRpc();
  await project.write('objects.mjs', objectModule([ATTACHMENT_1_0]));
  await project.write('api.mjs', apiModule(history));
  await project.write('package.json', JSON.stringify({ name: 'app', type: 'module', versioned: { modules: ['objects.mjs', 'api.mjs'] } }));
  const made = await project.run('fingerprint', 'update');
  assert.equal(made.code, 0, made.stdout + made.stderr);
  return project;
}

describe('versioned fingerprint check on RPC APIs', () => {
  const projects: TempProject[] = [];
  const project = async (history?: string): Promise<TempProject> => {
    const p = await lockedProject(history);
    projects.push(p);
    return p;
  };
  after(async () => {
    for (const p of projects) await p.remove();
  });

  test('the lock file holds each method and argument with its type and version; an unchanged API passes', async () => {
    const p = await project();
    const lock = JSON.parse(await readFile(p.path('object-hashes.json'), 'utf8'));
    assert.equal(lock.format, 2);
    assert.deepEqual(lock.rpcApis.volume.majors[0].methods.create_volume.args.zone, {
      since: '1.1',
      type: { type: 'String' },
      required: false,
    });
    const result = await p.run('fingerprint', 'check');
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /ok {3}RPC API volume 1\.1/);
    assert.match(result.stdout, /OK: 1 object and 1 RPC API match/);
  });

  test('a removed argument without a new major fails, naming method, argument and the bump (text, --json, update refuses)', async () => {
    const p = await project();
    await p.write('api.mjs', apiModule(`[${V1_0.replace(', size: f.integer()', '')}, ${V1_1}]`));
    const result = await p.run('fingerprint', 'check');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /FAIL RPC API volume 1\.1: the API changed/);
    assert.match(
      result.stdout,
      /FAIL argument create_volume\.size was removed \(or renamed\) in 1\.x breaks callers of 1\.1: it needs a new major \(2\.0/,
    );
    const json = JSON.parse((await p.run('fingerprint', 'check', '--json')).stdout);
    const change = json.rpcApis[0].changes[0];
    assert.deepEqual(
      [json.ok, json.rpcApis[0].ok, change.kind, change.method, change.argument, change.bump, change.suggested],
      [false, false, 'argument_removed', 'create_volume', 'size', 'major', '2.0'],
    );
    const update = await p.run('fingerprint', 'update');
    assert.equal(update.code, 1);
    assert.match(update.stdout, /RPC API volume: argument create_volume\.size was removed/);
  });

  test('a renamed method or a changed argument type without a new major fails', async () => {
    const p = await project();
    await p.write(
      'api.mjs',
      apiModule(`[${V1_0.replace('get_volume', 'fetch_volume').replace('size: f.integer()', 'size: f.string()')}, ${V1_1}]`),
    );
    const json = JSON.parse((await p.run('fingerprint', 'check', '--json')).stdout);
    const kinds = json.rpcApis[0].changes.map((c: { kind: string; ok: boolean }) => `${c.kind}:${c.ok}`).sort();
    assert.deepEqual(kinds, ['argument_retyped:false', 'method_added:false', 'method_removed:false']);
  });

  test('an addition without a minor bump fails and says which version to declare it in; with the bump, update locks it', async () => {
    const p = await project();
    await p.write(
      'api.mjs',
      apiModule(
        `[${V1_0}, ${V1_1.replace("default: 'nova' } }", "default: 'nova' }, bootable: { type: f.boolean(), default: false } }")}]`,
      ),
    );
    const result = await p.run('fingerprint', 'check');
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /FAIL argument create_volume\.bootable added \(\{"type":"Boolean"\}\) in 1\.1, a version already released \(locked 1\.1\): it needs a minor bump — declare it in a new 1\.2 entry/,
    );
    assert.equal((await p.run('fingerprint', 'update')).code, 1);
    await p.write(
      'api.mjs',
      apiModule(
        `[${V1_0}, ${V1_1}, { version: '1.2', release: 'N+1', note: 'create_volume takes bootable', args: { create_volume: { bootable: { type: f.boolean(), default: false } } } }]`,
      ),
    );
    const stale = await p.run('fingerprint', 'check');
    assert.equal(stale.code, 1, 'the lock file is stale until updated');
    assert.match(stale.stdout, /argument create_volume\.bootable added \(\{"type":"Boolean"\}\) in 1\.2 \[minor\]/);
    const update = await p.run('fingerprint', 'update');
    assert.equal(update.code, 0, update.stdout);
    assert.match(update.stdout, /1 RPC API/);
    assert.equal((await p.run('fingerprint', 'check')).code, 0);
  });

  test('a new major that restates the API passes update; the locked 1.x must stay as it was', async () => {
    const p = await project();
    const v2 = `{ version: '2.0', release: 'N+2', note: 'create_volume takes size_gb', methods: { create_volume: { args: { volume_id: f.uuid(), size_gb: f.integer() }, result: f.string() }, get_volume: { args: { volume_id: f.uuid() } } }, previous: { create_volume: { upgrade: (a) => ({ volume_id: a.volume_id, size_gb: a.size }) } } }`;
    await p.write('api.mjs', apiModule(`[${V1_0}, ${V1_1}, ${v2}]`));
    const update = await p.run('fingerprint', 'update');
    assert.equal(update.code, 0, update.stdout);
    assert.equal((await p.run('fingerprint', 'check')).code, 0);
  });

  test('--against <git ref>: a properly bumped addition passes, an unbumped one fails', async () => {
    const p = await project();
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.org', ...args], { cwd: p.dir, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'release 1');
    await p.write(
      'api.mjs',
      apiModule(`[${V1_0}, ${V1_1}, { version: '1.2', release: 'N+2', note: 'adds stats', methods: { stats: { result: f.integer() } } }]`),
    );
    const bumped = await p.run('fingerprint', 'check', '--against', 'main');
    assert.equal(bumped.code, 0, bumped.stdout);
    assert.match(bumped.stdout, /ok {3}RPC API volume 1\.2 \(locked 1\.1\): the API changed/);
    await p.write('api.mjs', apiModule(`[${V1_0.replace('get_volume:', 'stats: { result: f.integer() }, get_volume:')}, ${V1_1}]`));
    const unbumped = await p.run('fingerprint', 'check', '--against', 'main', '--json');
    assert.equal(unbumped.code, 1, unbumped.stdout);
    const change = JSON.parse(unbumped.stdout).rpcApis[0].changes[0];
    assert.deepEqual([change.kind, change.method, change.ok, change.suggested], ['method_added', 'stats', false, '1.2']);
  });

  test('a lock file written before RPC APIs were locked is still read: the API shows as new', async () => {
    const p = await project();
    const lock = JSON.parse(await readFile(p.path('object-hashes.json'), 'utf8'));
    delete lock.rpcApis;
    await writeFile(p.path('object-hashes.json'), JSON.stringify(lock));
    const result = await p.run('fingerprint', 'check');
    assert.equal(result.code, 1);
    assert.match(result.stdout, /NEW {2}RPC API volume 1\.1: not in the lock file/);
    assert.match(result.stdout, /run `versioned fingerprint update`/);
  });

  test('a hand-edited RPC record is refused as an invalid lock file (exit 2), naming where', async () => {
    const p = await project();
    const lock = JSON.parse(await readFile(p.path('object-hashes.json'), 'utf8'));
    lock.rpcApis.volume.majors[0].methods.create_volume.args.zone.since = 'soon';
    await writeFile(p.path('object-hashes.json'), JSON.stringify(lock));
    const result = await p.run('fingerprint', 'check');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /rpcApis\.volume\.majors\[0\]\.methods\.create_volume\.args\.zone\.since/);
  });

  test('a module exporting only an RPC API is enough for the check', async () => {
    const p = await TempProject.create();
    projects.push(p);
    await p.linkRpc();
    await p.write('api.mjs', apiModule(BASE));
    await p.write('package.json', JSON.stringify({ name: 'app', type: 'module', versioned: { modules: ['api.mjs'] } }));
    assert.equal((await p.run('fingerprint', 'update')).code, 0);
    const result = await p.run('fingerprint', 'check', '--json');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(JSON.parse(result.stdout).rpcApis[0].status, 'unchanged');
  });
});

// ---- Randomized: history edits and the verdict ----

const TYPES: readonly (() => FieldType)[] = [() => f.integer(), () => f.string(), () => f.boolean(), () => f.list(f.string())];

interface Model {
  methods: { name: string; since: number; args: { name: string; since: number; type: number }[] }[];
  newest: number;
}

const modelArb: fc.Arbitrary<Model> = fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat({ max: 3 })), { maxLength: 6 }).map((steps) => {
  const model: Model = { methods: [{ name: 'm0', since: 0, args: [{ name: 'a0', since: 0, type: 0 }] }], newest: steps.length };
  steps.forEach(([method, pick, type], i) => {
    if (method) model.methods.push({ name: `m${model.methods.length}`, since: i + 1, args: [{ name: 'x', since: i + 1, type }] });
    else model.methods[pick % model.methods.length]?.args.push({ name: `b${i + 1}`, since: i + 1, type });
  });
  return model;
});

function toApi(model: Model): RpcApiRecord {
  const history: VersionSpec[] = [];
  for (let minor = 0; minor <= model.newest; minor++) {
    const decl = (a: { name: string; since: number; type: number }, optional: boolean) => [
      a.name,
      optional ? { type: (TYPES[a.type] as () => FieldType)(), optional: true } : (TYPES[a.type] as () => FieldType)(),
    ];
    const methods = Object.fromEntries(
      model.methods
        .filter((m) => m.since === minor)
        .map((m) => [m.name, { args: Object.fromEntries(m.args.filter((a) => a.since === minor).map((a) => decl(a, false))) }]),
    );
    const args = Object.fromEntries(
      model.methods
        .filter((m) => m.since < minor && m.args.some((a) => a.since === minor))
        .map((m) => [m.name, Object.fromEntries(m.args.filter((a) => a.since === minor).map((a) => decl(a, true)))]),
    );
    const empty = !Object.keys(methods).length && !Object.keys(args).length;
    history.push({
      version: `1.${minor}`,
      release: 'R',
      note: `step ${minor}`,
      ...(empty ? { methods: { [`noop${minor}`]: {} } } : { methods }),
      ...(Object.keys(args).length ? { args } : {}),
    });
  }
  return defineRpcApi({ topic: 'random', history }).describe() as RpcApiRecord;
}

type Edit = 'append_method' | 'append_argument' | 'unbumped_method' | 'remove_argument' | 'retype_argument' | 'remove_method';
const BREAKING: Record<Edit, boolean> = {
  append_method: false,
  append_argument: false,
  unbumped_method: true,
  remove_argument: true,
  retype_argument: true,
  remove_method: true,
};

function applyEdit(model: Model, edit: Edit, pick: number): Model {
  const next: Model = structuredClone(model);
  const m = next.methods[pick % next.methods.length] as Model['methods'][number];
  switch (edit) {
    case 'append_method':
      next.newest += 1;
      next.methods.push({ name: 'fresh', since: next.newest, args: [] });
      break;
    case 'append_argument':
      next.newest += 1;
      m.args.push({ name: 'fresh', since: next.newest, type: 1 });
      break;
    case 'unbumped_method':
      next.methods.push({ name: 'fresh', since: pick % (next.newest + 1), args: [] });
      break;
    case 'remove_argument':
      m.args.splice(pick % m.args.length, 1);
      if (m.args.length === 0) m.args.push({ name: 'renamed', since: m.since, type: 0 });
      break;
    case 'retype_argument': {
      const a = m.args[pick % m.args.length] as { type: number };
      a.type = (a.type + 1) % TYPES.length;
      break;
    }
    case 'remove_method':
      next.methods.splice(pick % next.methods.length, 1);
      if (next.methods.length === 0) next.methods.push({ name: 'other', since: 0, args: [] });
      break;
  }
  return next;
}

test('random APIs and random history edits: the fingerprint verdict matches the rule (breaking or unbumped fails, a bumped addition passes)', () => {
  fc.assert(
    fc.property(
      modelArb,
      fc.constantFrom<Edit>('append_method', 'append_argument', 'unbumped_method', 'remove_argument', 'retype_argument', 'remove_method'),
      fc.nat(),
      (model, edit, pick) => {
        const locked = toApi(model);
        const edited = toApi(applyEdit(model, edit, pick));
        const [report] = checkRpcApis([edited], new Map([[rpcApiKey(locked), locked]]));
        assert.ok(report);
        assert.equal(report.status, 'changed');
        const accepted = report.changes.every((c) => c.ok);
        assert.equal(accepted, !BREAKING[edit], JSON.stringify(report.changes));
        if (BREAKING[edit]) {
          const failing = report.changes.filter((c) => !c.ok);
          assert.ok(
            failing.every((c) => c.method !== undefined && (c.suggested !== undefined || c.bump === 'revert')),
            JSON.stringify(failing),
          );
        }
        // The unedited API always passes against its own lock.
        assert.deepEqual(checkRpcApis([locked], new Map([[rpcApiKey(locked), locked]]))[0]?.changes, []);
      },
    ),
    { numRuns: 300 },
  );
});
