import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

test("the project's own objects match the committed object-hashes.json (what `pnpm fingerprint` checks)", async () => {
  const { code, stdout, stderr } = await runCli(['fingerprint', 'check'], repoRoot);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /^OK: \d+ objects match object-hashes\.json$/m);
});

test("the demo's volume API is locked and checked by `pnpm fingerprint` (the script CI runs)", async () => {
  const script =
    (JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts['fingerprint'] ?? '';
  const demoCheck = script
    .split('&&')
    .map((s) => s.trim())
    .find((s) => s.includes('packages/demo/object-hashes.json'));
  assert.ok(demoCheck?.includes('--module packages/demo/dist/src/releases/volume-api.js'), script);
  const args = (demoCheck as string).replace(/^versioned /, '').split(/\s+/);
  const { code, stdout, stderr } = await runCli(args, repoRoot);
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /^ok {3}RPC API volume \d+\.\d+$/m);
  const lock = JSON.parse(readFileSync(`${repoRoot}/packages/demo/object-hashes.json`, 'utf8')) as {
    rpcApis: Record<string, { majors: { methods: Record<string, unknown> }[] }>;
  };
  const methods = Object.keys(lock.rpcApis['volume']?.majors[0]?.methods ?? {});
  for (const method of ['create_volume', 'get_volume', 'extend_volume'])
    assert.ok(methods.includes(method), `${method} in ${methods.join(', ')}`);
});

test('Python recomputes every fingerprint in the lock file from its description (sorted-key compact JSON, sha256)', () => {
  const lock = JSON.parse(readFileSync(`${repoRoot}/object-hashes.json`, 'utf8')) as {
    objects: Record<string, { fingerprint: string; version: string }>;
  };
  const script = [
    'import hashlib, json, sys',
    'lock = json.load(open(sys.argv[1]))',
    'out = {}',
    'for name, entry in lock["objects"].items():',
    '    text = json.dumps(entry["description"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)',
    '    out[name] = entry["version"] + "-" + hashlib.sha256(text.encode("utf-8")).hexdigest()',
    'print(json.dumps(out))',
  ].join('\n');
  // No skip: Python is part of this project's toolchain (the oslo oracle); a missing interpreter fails here.
  const fromPython = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, `${repoRoot}/object-hashes.json`], { encoding: 'utf8' }));
  const fromLock = Object.fromEntries(Object.entries(lock.objects).map(([name, entry]) => [name, entry.fingerprint]));
  assert.ok(Object.keys(fromLock).length >= 3);
  assert.deepEqual(fromPython, fromLock);
});
