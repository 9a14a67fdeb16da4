import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { PackedPackage } from './pack.js';

/** The metadata fields a published package must have. */
export const REQUIRED_FIELDS = [
  'name',
  'version',
  'description',
  'keywords',
  'license',
  'author',
  'homepage',
  'repository',
  'bugs',
  'engines',
  'sideEffects',
  'files',
  'exports',
  'types',
] as const;

/** Problems with the package.json inside a tarball: missing metadata, workspace ranges left, exact pins between our packages. */
export function manifestProblems(pkg: PackedPackage): string[] {
  const m = pkg.manifest;
  const problems: string[] = [];
  for (const key of REQUIRED_FIELDS)
    if (m[key] === undefined || m[key] === '' || (Array.isArray(m[key]) && (m[key] as unknown[]).length === 0))
      problems.push(`no "${key}"`);
  if (m.license !== 'Apache-2.0') problems.push(`license is ${JSON.stringify(m.license)}, not Apache-2.0`);
  const repository = m.repository as { directory?: string; url?: string } | undefined;
  if (repository?.directory !== `packages/${pkg.folder}`)
    problems.push(`repository.directory is ${JSON.stringify(repository?.directory)}, not packages/${pkg.folder}`);
  if (!/^git\+https:\/\//.test(repository?.url ?? '')) problems.push(`repository.url is ${JSON.stringify(repository?.url)}`);
  const text = JSON.stringify(m);
  if (text.includes('workspace:')) problems.push('a workspace: range is left in the packed package.json');
  for (const section of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries((m[section] ?? {}) as Record<string, string>)) {
      if (name.startsWith('@versioned/') && !/^\^\d+\.\d+\.\d+$/.test(range))
        problems.push(`${section}.${name} is ${JSON.stringify(range)}, not a ^ range`);
    }
  }
  return problems;
}

/** Files the manifest points at (main, types, exports, bin) that the tarball lacks. */
export function missingEntryPoints(pkg: PackedPackage): string[] {
  const targets: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') targets.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([pkg.manifest.main, pkg.manifest.types, pkg.manifest.exports, pkg.manifest.bin]);
  const files = new Set(pkg.files);
  return targets.filter((t) => !t.includes('*') && !files.has(posix.normalize(t)));
}

/**
 * Source and declaration maps that do not resolve inside the tarball: a `sourceMappingURL` naming a
 * missing map, or a map whose `sources` name a missing file.
 */
export function unresolvedMaps(pkg: PackedPackage): string[] {
  const files = new Set(pkg.files);
  const problems: string[] = [];
  for (const file of pkg.files) {
    if (/\.(js|d\.ts)$/.test(file)) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(pkg.unpacked, file), 'utf8'))?.[1];
      if (url && !url.startsWith('data:') && !files.has(posix.join(posix.dirname(file), url)))
        problems.push(`${file}: its map ${url} is not in the package`);
    }
    if (file.endsWith('.map')) {
      const map = JSON.parse(readFileSync(join(pkg.unpacked, file), 'utf8')) as { sources?: string[]; sourceRoot?: string };
      for (const source of map.sources ?? []) {
        const at = posix.normalize(posix.join(posix.dirname(file), map.sourceRoot ?? '', source));
        if (!files.has(at)) problems.push(`${file}: source ${source} (${at}) is not in the package`);
      }
    }
  }
  return problems;
}

/** Relative links of the packed README that lead nowhere once the package is outside the repository. */
export function deadReadmeLinks(pkg: PackedPackage): string[] {
  const readme = readFileSync(join(pkg.unpacked, 'README.md'), 'utf8');
  const files = new Set(pkg.files);
  const dead: string[] = [];
  for (const match of readme.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)|href="([^"]+)"/g)) {
    const link = (match[1] ?? match[2]) as string;
    if (/^(https?:|mailto:|#)/.test(link)) continue;
    const path = posix.normalize(link.replace(/#.*$/, ''));
    if (!files.has(path) && !pkg.files.some((f) => f.startsWith(`${path.replace(/\/$/, '')}/`))) dead.push(link);
  }
  return dead;
}

/** Whether the packed LICENSE is the workspace's (Apache-2.0) text. */
export function sameLicense(root: string, pkg: PackedPackage): boolean {
  return readFileSync(join(root, 'LICENSE'), 'utf8') === readFileSync(join(pkg.unpacked, 'LICENSE'), 'utf8');
}
