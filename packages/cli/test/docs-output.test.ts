import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TempProject } from './helpers.js';
import { DAY, Fleet, SECOND, steadyAges, upgradeProject } from './upgrade-helpers.js';

/**
 * The CLI output shown in docs/rolling-upgrades.md is what the CLI prints. Each block marked
 * `<!-- cli-output: <fleet>, exit <n> -->` is a ```text block whose first line is `$ versioned ...`: the test
 * puts the services table in that fleet state, runs the command and compares, heartbeat ages under a minute
 * and the finalizing user, host and time aside. After a change of the output, `WRITE_DOCS_OUTPUT=1 node --test
 * packages/cli/dist/test/docs-output.test.js` rewrites the blocks with what the CLI prints (review the diff).
 */
const PAGE = fileURLToPath(new URL('../../../../docs/rolling-upgrades.md', import.meta.url));

const RELEASES = `import { ManifestHistory } from '@versioned/objects';
import { Releases } from '@versioned/upgrade';
const OBJECT_VERSIONS = new ManifestHistory().add('antelope', { Volume: '1.0' }).add('bobcat', { Volume: '1.1' });
export const volume = new Releases('volume', [
  { name: 'antelope', rpc: { volume: '1.1' }, objects: 'antelope' },
  { name: 'bobcat', rpc: { volume: '1.2' }, objects: 'bobcat' },
], { objects: OBJECT_VERSIONS });
`;

const RPC: Readonly<Record<string, string>> = { antelope: '1.1', bobcat: '1.2' };

/** The fleets of the page: host -> [release, heartbeat age]. */
const FLEETS: Readonly<Record<string, Readonly<Record<string, readonly [string, number]>>>> = {
  'mid-upgrade': {
    'volume-1': ['bobcat', 2 * SECOND],
    'volume-2': ['antelope', 4 * SECOND],
    'volume-3': ['antelope', 7 * SECOND],
    'volume-9': ['antelope', 12 * DAY],
  },
  upgraded: {
    'volume-1': ['bobcat', 3 * SECOND],
    'volume-2': ['bobcat', 5 * SECOND],
    'volume-3': ['bobcat', 1 * SECOND],
  },
};

function normalize(text: string): string {
  return steadyAges(text).replace(/by \S+ at \d{4}-\d\d-\d\dT[\d:.]+Z/g, 'by <who> at <time>');
}

let p: TempProject;
let fleet: Fleet;

before(async () => {
  p = await upgradeProject();
  await p.write('releases.mjs', RELEASES);
  await p.write(
    'versioned.config.json',
    JSON.stringify({ upgrade: { database: 'sqlite:services.db', releases: 'releases.mjs', liftPolicy: { volume: 'finalize' } } }),
  );
  fleet = await Fleet.open(`sqlite:${p.path('services.db')}`);
});
after(async () => {
  await fleet.close();
  await p.remove();
});

async function enter(state: string): Promise<void> {
  const hosts = FLEETS[state];
  assert.ok(hosts, `docs/rolling-upgrades.md: unknown fleet "${state}" (known: ${Object.keys(FLEETS).join(', ')})`);
  for (const row of await fleet.store.rows('volume')) if (!(row.host in hosts)) await fleet.store.forget('volume', row.host);
  for (const [host, [release, age]] of Object.entries(hosts)) {
    await fleet.store.register(
      { binary: 'volume', host, release, rpcVersions: { volume: RPC[release] as string }, objects: release },
      Date.now() - age,
    );
  }
}

test('the CLI output shown in docs/rolling-upgrades.md is what the CLI prints, in page order', async () => {
  let page = readFileSync(PAGE, 'utf8');
  const pattern = /^( *)<!-- cli-output: ([a-z-]+), exit (\d) -->\n\1```text\n([\s\S]*?)\n\1```/gm;
  const blocks = [...page.matchAll(pattern)];
  assert.ok(blocks.length >= 5, `docs/rolling-upgrades.md shows ${blocks.length} checked CLI outputs`);
  const written: string[] = [];
  for (const [, indent = '', state, exit, body] of blocks) {
    const [command, ...expected] = (body as string).split('\n').map((line) => line.slice(indent.length));
    assert.match(command as string, /^\$ versioned /);
    await enter(state as string);
    const { code, stdout } = await p.run(...(command as string).slice('$ versioned '.length).split(' '));
    written.push([command, ...stdout.replace(/\n$/, '').split('\n')].map((line) => (line === '' ? '' : `${indent}${line}`)).join('\n'));
    if (process.env.WRITE_DOCS_OUTPUT) continue;
    assert.equal(normalize(stdout), normalize(`${expected.join('\n')}\n`), `${command} (fleet ${state})`);
    assert.equal(code, Number(exit), `${command}: exit code`);
  }
  if (process.env.WRITE_DOCS_OUTPUT) {
    let i = 0;
    page = page.replace(
      pattern,
      (_m, indent: string, state: string, exit: string) =>
        `${indent}<!-- cli-output: ${state}, exit ${exit} -->\n${indent}\`\`\`text\n${written[i++]}\n${indent}\`\`\``,
    );
    writeFileSync(PAGE, page);
  }
});
