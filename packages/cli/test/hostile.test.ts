import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { run } from '../src/cli.js';
import { ATTACHMENT_1_0, VOLUME_1_2, TempProject, runCli } from './helpers.js';

/**
 * Hostile input to the CLI: generated malformed lock files and command lines. Every answer is exit 0, 1 or 2
 * with a typed message (`versioned: ...`), never a stack trace or an internal error; a lock file that is not
 * valid is exit 2 naming the file and the key. The counts are printed.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const STACK = /\n\s+at .+[:(]\d+:\d+\)?/;

interface Counts {
  inputs: number;
  stackTraces: number;
  untyped: number;
  badExitCodes: number;
  unnamedLockErrors: number;
  badJson: number;
  /** How many answers had each exit code (not a failure count: shows what the inputs reached). */
  exits?: Record<number, number>;
}

function capture(): {
  io: { stdout: { write(t: string): boolean }; stderr: { write(t: string): boolean }; cwd: string };
  out: () => string;
  err: () => string;
  cwd: (dir: string) => void;
} {
  let out = '';
  let err = '';
  const io = { stdout: { write: (t: string) => ((out += t), true) }, stderr: { write: (t: string) => ((err += t), true) }, cwd: '' };
  return { io, out: () => out, err: () => err, cwd: (dir) => void (io.cwd = dir) };
}

/** The 35 kinds of damage the hostile-input issue lists and their neighbours, each applied to a valid lock file. */
const KINDS: readonly [string, (lock: any) => unknown][] = [
  ['fields [null]', (l) => (l.objects.Volume.description.fields = [null])],
  ['a field without a type', (l) => delete l.objects.Volume.description.fields[0].type],
  ['a field type without its name', (l) => (l.objects.Volume.description.fields[0].type = {})],
  ['a field type that is a string', (l) => (l.objects.Volume.description.fields[0].type = 'String')],
  [
    'a list without an element',
    (l) => (l.objects.Volume.description.fields.find((f: any) => f.name === 'attachments').type = { type: 'List' }),
  ],
  [
    'an object type without a target',
    (l) => (l.objects.Volume.description.fields.find((f: any) => f.name === 'attachments').type.element = { type: 'Object' }),
  ],
  ['an enum without values', (l) => (l.objects.Volume.description.fields.find((f: any) => f.name === 'kind').type = { type: 'Enum' })],
  ['enum values that are numbers', (l) => (l.objects.Volume.description.fields.find((f: any) => f.name === 'kind').type.values = [1, 2])],
  ['relationships: 5', (l) => (l.objects.Volume.description.relationships = 5)],
  ['relationships [[1]]', (l) => (l.objects.Volume.description.relationships = [{ field: 'attachments', pairs: [['1.0']] }])],
  ['default: 5', (l) => (l.objects.Volume.description.fields[0].default = 5)],
  ['default {}', (l) => (l.objects.Volume.description.fields[0].default = {})],
  ['default { factory: false }', (l) => (l.objects.Volume.description.fields[0].default = { factory: false })],
  ['a locked version "garbage"', (l) => (l.objects.Volume.version = 'garbage')],
  ['a locked version "1.x"', (l) => (l.objects.Volume.version = '1.x')],
  ['a locked version 1.2 (a number)', (l) => (l.objects.Volume.version = 1.2)],
  ['a fingerprint without a hash', (l) => (l.objects.Volume.fingerprint = '1.2')],
  ['a fingerprint of another version', (l) => (l.objects.Volume.fingerprint = l.objects.Volume.fingerprint.replace(/^1\.2/, '1.3'))],
  [
    'a description edited by hand',
    (l) => (l.objects.Volume.description.fields[0].nullable = !l.objects.Volume.description.fields[0].nullable),
  ],
  ['a description named for another class', (l) => (l.objects.Volume.description.name = 'Attachment')],
  ['nullable: "yes"', (l) => (l.objects.Volume.description.fields[0].nullable = 'yes')],
  ['readOnly missing', (l) => delete l.objects.Volume.description.fields[0].readOnly],
  ['children [null]', (l) => (l.objects.Volume.description.children = [null])],
  ['a child version "latest"', (l) => (l.objects.Volume.description.children[0].version = 'latest')],
  ['remotable: {}', (l) => (l.objects.Volume.description.remotable = {})],
  ['remotable arity -1', (l) => (l.objects.Volume.description.remotable = [{ name: 'x', kind: 'instance', arity: -1 }])],
  ['description: null', (l) => (l.objects.Volume.description = null)],
  ['an object entry that is a string', (l) => (l.objects.Volume = 'Volume')],
  ['objects: []', (l) => (l.objects = [])],
  ['objects missing', (l) => delete l.objects],
  ['format 3', (l) => (l.format = 3)],
  ['format "2"', (l) => (l.format = '2')],
  ['an unknown top-level key', (l) => (l.objectz = {})],
  ['an unknown entry key', (l) => (l.objects.Volume.fingerprnt = 'x')],
  ['history: 5', (l) => (l.objects.Volume.history = 5)],
  ['history []', (l) => (l.objects.Volume.history = [])],
  ['a history entry without a version', (l) => (l.objects.Volume.history = [{ added: ['x'] }])],
  ['a history that ends before the locked version', (l) => (l.objects.Volume.history = [{ version: '1.0' }])],
  ['history children { x: 1 }', (l) => (l.objects.Volume.history = [{ version: '1.2', children: { x: 1 } }])],
  ['manifests: {}', (l) => (l.manifests = {})],
  ['a manifest version "v1"', (l) => (l.manifests = [{ key: 'a', updates: { Volume: 'v1' } }])],
  ['a __proto__ object', (l) => (l.objects = JSON.parse('{"__proto__": {"fingerprint": "x"}}'))],
  ['nesting 100,000 deep', (l) => (l.objects.Volume.description.fields[0].default = { value: DEEP })],
  ['nesting 100,000 deep at the top', () => DEEP],
  ['a JSON array', () => []],
  ['null', () => null],
];

/** A placeholder replaced by `[[[...0...]]]` 100,000 deep in the text (JSON.stringify itself cannot nest that deep). */
const DEEP = '\u0000deep\u0000';
const deepText = (n: number): string => `${'['.repeat(n)}0${']'.repeat(n)}`;
const lockText = (value: unknown): string => JSON.stringify(value).replace(JSON.stringify(DEEP), deepText(100_000));

describe('hostile input to the CLI', () => {
  let p: TempProject;
  let valid: string;
  const totals: Record<string, Counts> = {};
  before(async () => {
    p = await TempProject.create();
    await p.writeObjects([ATTACHMENT_1_0, VOLUME_1_2]);
    const made = await p.run('fingerprint', 'update');
    assert.equal(made.code, 0, made.stdout + made.stderr);
    valid = await readFile(p.path('object-hashes.json'), 'utf8');
  });
  after(async () => {
    console.log(`hostile CLI counts: ${JSON.stringify(totals)}`);
    await p.remove();
  });

  const counts = (): Counts => ({ inputs: 0, stackTraces: 0, untyped: 0, badExitCodes: 0, unnamedLockErrors: 0, badJson: 0 });

  /** Run the CLI in this process on `argv`, and count what went wrong. */
  async function judge(c: Counts, argv: string[], failures: string[], expect: { lockError?: boolean } = {}): Promise<number> {
    const cap = capture();
    cap.cwd(p.dir);
    const code = await run(argv, cap.io);
    c.inputs++;
    c.exits = { ...c.exits, [code]: (c.exits?.[code] ?? 0) + 1 };
    const text = cap.out() + cap.err();
    const note = (what: string): void =>
      void (failures.length < 5 && failures.push(`${what}: versioned ${argv.join(' ').slice(0, 200)} -> ${code}: ${text.slice(0, 400)}`));
    if (STACK.test(text)) c.stackTraces++, note('stack');
    if (/internal error|unexpected error/.test(text)) c.untyped++, note('untyped');
    if (![0, 1, 2].includes(code)) c.badExitCodes++, note('exit code');
    if (expect.lockError && (code !== 2 || !/versioned: the lock file [^ ]*lock\.json is not valid: /.test(cap.err())))
      c.unnamedLockErrors++, note('lock error');
    if (argv.includes('--json')) {
      try {
        const answer = JSON.parse(cap.out());
        if (code === 2 && (answer.ok !== false || typeof answer.error?.code !== 'string')) throw new Error('no error object');
      } catch {
        c.badJson++, note('json');
      }
    }
    return code;
  }

  test('every listed kind of damaged lock file is exit 2 naming the file and the key, never a stack', async () => {
    const c = (totals.listedLockFiles = counts());
    const failures: string[] = [];
    for (const [kind, damage] of KINDS) {
      const lock = JSON.parse(valid);
      const replaced = damage(lock);
      const text = kind.includes('at the top') || kind === 'a JSON array' || kind === 'null' ? lockText(replaced) : lockText(lock);
      await writeFile(p.path('damaged-lock.json'), text);
      for (const json of [[], ['--json']])
        await judge(c, ['fingerprint', 'check', '--lock-file', 'damaged-lock.json', ...json], failures, { lockError: true });
    }
    assert.deepEqual(failures, []);
    assert.deepEqual({ ...c, inputs: 0, exits: undefined }, { ...counts(), inputs: 0, exits: undefined });
  });

  test('the messages say where: the object and the key', async () => {
    const cases: [string, RegExp][] = [
      ['a field without a type', /objects\.Volume\.description\.fields\[0\]\(attachments\): missing "type"/],
      ['relationships: 5', /objects\.Volume\.description\.relationships: expected array, got 5/],
      ['default: 5', /objects\.Volume\.description\.fields\[0\]\(attachments\)\.default: /],
      ['a locked version "garbage"', /objects\.Volume\.version: "garbage" is not of the expected form \(a version "X\.Y" or "X\.Y\.Z"\)/],
      ['nesting 100,000 deep', /nested deeper than 200 levels/],
      [
        'a description edited by hand',
        /objects\.Volume\.description: does not hash to the recorded fingerprint: the entry was edited by hand/,
      ],
    ];
    for (const [kind, message] of cases) {
      const lock = JSON.parse(valid);
      (KINDS.find(([k]) => k === kind) as [string, (l: unknown) => unknown])[1](lock);
      await writeFile(p.path('damaged-lock.json'), lockText(lock));
      const cap = capture();
      cap.cwd(p.dir);
      assert.equal(await run(['fingerprint', 'check', '--lock-file', 'damaged-lock.json'], cap.io), 2);
      assert.match(cap.err(), message, kind);
      assert.match(cap.err(), /^versioned: the lock file damaged-lock\.json is not valid: /);
    }
  });

  test('seeded: generated damage anywhere in the lock file, and damaged text, never crash', async () => {
    const c = (totals.generatedLockFiles = counts());
    const failures: string[] = [];
    const seed = Number(process.env.HOSTILE_SEED ?? Date.now() % 1_000_000);
    const runs = Number(process.env.HOSTILE_RUNS ?? 600);
    console.log(`hostile lock files: seed ${seed}, ${runs} runs (HOSTILE_SEED=${seed} to repeat)`);
    const junk = fc.oneof(
      fc.constantFrom<Json>(
        null,
        5,
        -1,
        1.5,
        '',
        'garbage',
        '1.x',
        '1.2',
        true,
        [],
        {},
        [null],
        { type: 'List' },
        { value: 1 },
        { factory: true },
        '__proto__',
      ),
      fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
    );
    const paths = (node: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] => {
      out.push(prefix);
      if (node && typeof node === 'object')
        for (const [k, v] of Object.entries(node)) paths(v, [...prefix, Array.isArray(node) ? Number(k) : k], out);
      return out;
    };
    const base = JSON.parse(valid) as Json;
    const all = paths(base).filter((path) => path.length > 0);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(all.length - 1), value: junk }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(all.length - 1) }),
      fc.record({ kind: fc.constant('text' as const), at: fc.nat(valid.length), cut: fc.nat(40), insert: fc.string({ maxLength: 5 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), async (mutations, json) => {
        let lock = structuredClone(base);
        let text: string | undefined;
        for (const m of mutations) {
          if (m.kind === 'text') {
            const source = text ?? JSON.stringify(lock, null, 2);
            text = source.slice(0, m.at) + m.insert + source.slice(m.at + m.cut);
            continue;
          }
          const path = all[m.at] as (string | number)[];
          if (text !== undefined) continue;
          lock = setAt(lock, path, m.kind === 'delete' ? undefined : m.value);
        }
        await writeFile(p.path('generated-lock.json'), text ?? JSON.stringify(lock));
        await judge(c, ['fingerprint', 'check', '--lock-file', 'generated-lock.json', ...(json ? ['--json'] : [])], failures);
      }),
      { seed, numRuns: runs },
    );
    assert.deepEqual(failures, []);
    assert.deepEqual({ ...c, inputs: 0, exits: undefined }, { ...counts(), inputs: 0, exits: undefined });
  });

  test('seeded: generated command lines never crash', async () => {
    const c = (totals.commandLines = counts());
    const failures: string[] = [];
    const seed = Number(process.env.HOSTILE_SEED ?? Date.now() % 1_000_000);
    const runs = Number(process.env.HOSTILE_RUNS ?? 600) / 2;
    const token = fc.oneof(
      fc.constantFrom(
        'fingerprint',
        'check',
        'update',
        'show',
        'verify',
        '--json',
        '--help',
        '-h',
        '--version',
        '--force',
        '--module',
        '--lock-file',
        '--config',
        '--against',
      ),
      fc.constantFrom(
        'objects.mjs',
        'missing.mjs',
        'nope/x.json',
        'object-hashes.json',
        'package.json',
        '.',
        '/',
        '--',
        '-',
        '-x',
        '--module=',
        '--json=1',
        '--bogus',
        'HEAD',
        'x:y',
        '--against=-x',
        '\u0000',
        'a'.repeat(300),
      ),
      fc.string({ maxLength: 8 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 7 }), async (argv) => {
        await judge(c, argv, failures);
      }),
      { seed, numRuns: runs },
    );
    assert.deepEqual(failures, []);
    assert.deepEqual({ ...c, inputs: 0, exits: undefined }, { ...counts(), inputs: 0, exits: undefined });
  });

  test('as a process: a lock file in a missing folder, a damaged lock file, a stuck module: clear messages, exit 2', async () => {
    const missing = await p.run('fingerprint', 'update', '--lock-file', 'no/such/folder/lock.json');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^versioned: cannot write the lock file no\/such\/folder\/lock\.json: its folder does not exist\n$/);
    const checkMissing = await p.run('fingerprint', 'check', '--lock-file', 'no/such/folder/lock.json');
    assert.equal(checkMissing.code, 1, 'no lock file there yet: every object is new');
    assert.match(checkMissing.stdout, /no lock file at no\/such\/folder\/lock\.json yet/);
    await p.write('deep-lock.json', deepText(100_000));
    const deepLock = await p.run('fingerprint', 'check', '--lock-file', 'deep-lock.json');
    assert.equal(deepLock.code, 2);
    assert.doesNotMatch(deepLock.stderr, STACK);
    await p.write('stuck.mjs', `import '@versioned/objects';\nawait new Promise(() => {});\n`);
    const stuck = await runCli(['fingerprint', 'check', '--module', 'stuck.mjs', '--json'], p.dir);
    assert.equal(stuck.code, 2, "not Node's exit 13");
    assert.equal(JSON.parse(stuck.stdout).error.code, 'module_load');
    assert.match(stuck.stderr, /^versioned: cannot load object module stuck\.mjs: its top-level await never settles/);
  });

  test('the unchanged domain still checks clean after all that', async () => {
    const { code } = await p.run('fingerprint', 'check');
    assert.equal(code, 0);
  });
});

function setAt(root: Json, path: readonly (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (root === null || typeof root !== 'object') return root;
  const copy: any = Array.isArray(root) ? [...root] : { ...root };
  if (rest.length === 0 && value === undefined) {
    if (Array.isArray(copy)) copy.splice(Number(head), 1);
    else delete copy[head];
  } else copy[head] = setAt(copy[head], rest, value);
  return copy;
}
