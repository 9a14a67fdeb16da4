import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Recorder, emptyStats, renderTimeline } from '../src/main.js';

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) dir = dirname(dir);
  return dir;
}

const dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
const timelinePath = join(dir, 'timeline.svg');
/** One real run of `pnpm demo` (scripts/demo.mjs, not a terminal: plain lines), shared by the tests that read it. */
const run = promisify(execFile)(process.execPath, ['scripts/demo.mjs', '--timeline', timelinePath], {
  cwd: repositoryRoot(),
  timeout: 60_000,
});
const lines = run.then(({ stdout }) => stdout.split('\n'));

/** The value of a row of the final table (`  answered   395` -> '395'). */
async function row(name: string): Promise<string> {
  const found = (await lines).find((l) => l.startsWith(`  ${name}  `));
  assert.ok(found, `no row ${name} in:\n${(await lines).join('\n')}`);
  return found.slice(name.length + 2).trim();
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('`pnpm demo` upgrades the fleet under load with every call answered, and exits 0', { timeout: 60_000 }, async () => {
  const { stdout, stderr } = await run; // execFile rejects on a non-zero exit code
  assert.equal(stderr, '');
  const made = Number(/^(\d+) in [\d.]+ s \((\d+) calls, (\d+) casts\)$/.exec(await row('calls and casts made'))?.[1]);
  assert.ok(made > 200, stdout);
  assert.equal(Number(await row('answered')), made);
  assert.equal(await row('failed'), '0');
  assert.equal(await row('cap errors'), '0');
  assert.equal(await row('undecodable'), '0');
  assert.equal(await row('run twice'), '0');
  assert.equal(await row('casts lost'), '0');
  assert.ok(Number(await row('degraded by canSendVersion')) > 0);
  assert.ok(Number(await row('objects backported')) > 0);
  // After the lift, extend_volume (new in 1.1) went out and was answered; every method was sent.
  const byMethod = Object.fromEntries(
    (await row('sent, by method'))
      .split(', ')
      .map((pair) => pair.split(' '))
      .map(([m, n]) => [m, Number(n)]),
  );
  assert.deepEqual(Object.keys(byMethod), ['create_volume', 'extend_volume', 'get_volume', 'update_volume']);
  assert.ok(
    Object.values(byMethod).every((n) => n > 0),
    JSON.stringify(byMethod),
  );
  assert.equal(
    Object.values(byMethod).reduce((a, b) => a + b, 0),
    made,
  );
  // Every step was run, in order, each with its progress line.
  const steps = (await lines).filter((l) => l.startsWith('step '));
  assert.deepEqual(
    steps.map((l) => l.split(' | ')[0]),
    [
      'step 1/5: upgrade volume-1: stop N, start N+1',
      'step 2/5: upgrade volume-2: stop N, start N+1',
      'step 3/5: upgrade volume-3: stop N, start N+1',
      'step 4/5: upgrade the API service: start N+1, move the load, stop N',
      'step 5/5: finalize volume: the pins lift, no restart',
    ],
  );
  // The volume pins held at N through the hosts' upgrade (lift policy finalize) and lifted once, after finalize.
  assert.ok(
    steps.every((l) => l.includes('| pins volume N, ')),
    steps.join('\n'),
  );
  const changes = (await lines).filter((l) => /^ {4}\+[\d.]+ s {2}volume pins/.test(l));
  assert.equal(changes.length, 1, stdout);
  assert.match(
    changes[0] as string,
    /volume pins lifted: rpc volume 1\.0 -> 1\.1, objects N -> N\+1; now oldest live volume service: volume-1 \(release N\+1\) and 2 more$/,
  );
  assert.ok((await lines).includes(`  timeline: ${timelinePath}`));
});

test('the timeline is a well-formed, self-contained SVG with every host, the pins per binary, and the steps', async () => {
  await run;
  const svg = readFileSync(timelinePath, 'utf8');
  assert.equal(XMLValidator.validate(svg), true);
  assert.doesNotMatch(svg, /<script|href=|url\(|@import/);
  const doc = new XMLParser({ ignoreAttributes: false }).parse(svg);
  assert.equal(doc.svg['@_xmlns'], 'http://www.w3.org/2000/svg');
  const texts = textsOf(svg);
  for (const label of ['api', 'volume-1', 'volume-2', 'volume-3', 'pins: volume', 'pins: api'])
    assert.ok(texts.includes(label), `no lane ${label}`);
  assert.ok(texts.some((t) => t?.includes('finalize volume: the pins lift, no restart')));
  // Each lane holds release N, then N+1 (the hosts also down while they restart).
  const titles = [...svg.matchAll(/<rect [^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1] as string);
  for (const lane of ['volume-1', 'volume-2', 'volume-3', 'api', 'pins: volume']) {
    const states = titles
      .filter((t) => t.startsWith(`${lane}: `))
      .map((t) => t.slice(lane.length + 2))
      .filter((s) => s !== 'down');
    assert.deepEqual(states, ['N', 'N+1'], `${lane}: ${states.join(', ')}`);
  }
});

test("the README's excerpt of the output is what the demo prints, in order (numbers aside)", async () => {
  const readme = readFileSync(join(repositoryRoot(), 'README.md'), 'utf8');
  const block = /<!-- demo-excerpt:[^>]*-->\n```text\n([\s\S]*?)\n```/.exec(readme)?.[1];
  assert.ok(block, 'README.md has no demo excerpt');
  const shape = (line: string) => line.replace(/\d+(\.\d+)?/g, '#').replace(/ +/g, ' ');
  const printed = (await lines).map(shape);
  let at = 0;
  for (const line of block.split('\n').filter((l) => l !== '...')) {
    const found = printed.indexOf(shape(line), at);
    assert.ok(found >= 0, `README excerpt line not printed (in this order): ${line}`);
    at = found + 1;
  }
});

/** What XML can carry of a string: the characters it cannot hold (controls, lone surrogates) as U+FFFD. */
function carried(text: string): string {
  return text.replace(
    /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\ud800-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The text of every <text> element as written, XML's five entities decoded (the writer escapes with those only). */
function textsOf(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    (m[1] as string).replace(/&(lt|gt|amp|quot|apos);/g, (_, name: string) => ENTITIES[name] as string),
  );
}

test('the timeline stays well-formed whatever the hosts, releases and events are called, and keeps their text', () => {
  const name = fc.string({ minLength: 1, maxLength: 12, unit: 'binary' });
  fc.assert(
    fc.property(fc.array(fc.tuple(name, name), { minLength: 1, maxLength: 4 }), fc.array(name, { maxLength: 4 }), (lanes, events) => {
      let t = 0;
      const recorder = new Recorder('<a & "b">', () => (t += 100));
      for (let i = 0; i < 5; i++)
        recorder.sample({
          pins: { volume: lanes[0]?.[1] as string },
          hosts: Object.fromEntries(lanes),
          stats: { ...emptyStats(), made: i * 3 },
        });
      for (const text of events) recorder.event('step', text);
      const svg = renderTimeline(recorder.recording());
      assert.equal(XMLValidator.validate(svg), true);
      const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(svg);
      assert.equal(doc.svg.title, '<a & "b">');
      // A lane's label is its host's name as given (a character XML cannot carry becomes U+FFFD).
      const labels = textsOf(svg);
      for (const [host] of lanes) assert.ok(labels.includes(carried(host)), `no lane ${JSON.stringify(host)}`);
    }),
    { numRuns: 40 },
  );
});
