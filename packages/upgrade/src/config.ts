import { compareVersions, isVersion } from '@versioned/objects';
import { UpgradeError } from './errors.js';
import type { Release, Releases } from './releases.js';

/** When the pins of a binary lift: `auto` once no live service of an older release remains; `finalize` only after `finalize()`. */
export type LiftPolicy = 'auto' | 'finalize';

/**
 * The per-binary settings an operator changes (and reloads with SIGHUP or `reload()`), keyed by binary:
 * Nova's `[upgrade_levels]`. A level is `auto` (from the services table, the default), a release name or
 * an RPC version; configuration wins over the table.
 */
export interface UpgradeConfig {
  readonly upgradeLevels?: Readonly<Record<string, string>>;
  readonly liftPolicy?: Readonly<Record<string, LiftPolicy>>;
}

/** A binary's upgrade level once checked against its releases. */
export type ResolvedLevel =
  | { readonly kind: 'auto' }
  | { readonly kind: 'release'; readonly option: string; readonly release: Release }
  /** A version for the binary's only API; `release` is the newest release serving at most that version. */
  | { readonly kind: 'version'; readonly option: string; readonly api: string; readonly version: string; readonly release: Release };

/** A binary's configuration once checked against its releases: the upgrade level it is held at, and its lift policy. */
export interface ResolvedBinaryConfig {
  readonly level: ResolvedLevel;
  readonly lift: LiftPolicy;
}

function invalid(option: string, message: string, value: unknown): UpgradeError {
  return new UpgradeError('invalid_config', `${option}: ${message}`, { details: { option, value } });
}

function resolveLevel(releases: Releases, option: string, value: unknown): ResolvedLevel {
  if (value === undefined || value === 'auto') return { kind: 'auto' };
  if (typeof value !== 'string')
    throw invalid(
      option,
      `expected "auto", a release name (${releases.names().join(', ')}) or a version, got ${JSON.stringify(value)}`,
      value,
    );
  const release = releases.find(value);
  if (release) return { kind: 'release', option, release };
  if (!/^\d/.test(value))
    throw invalid(
      option,
      `unknown release ${JSON.stringify(value)}; known: ${releases.names().join(', ')} (or "auto", or a version)`,
      value,
    );
  if (!isVersion(value)) throw invalid(option, `malformed version ${JSON.stringify(value)}: expected "X.Y" or "X.Y.Z"`, value);
  const apis = releases.apis;
  if (apis.length !== 1)
    throw invalid(option, `${releases.binary} serves several APIs (${apis.join(', ')}): give a release name, not a version`, value);
  const api = apis[0] as string;
  const newest = releases.list.findLast((r) => r.rpc[api] !== undefined) as Release;
  if (compareVersions(value, newest.rpc[api] as string) > 0) {
    throw invalid(
      option,
      `${api} ${value} is newer than this process knows (its newest release ${newest.name} serves ${newest.rpc[api]})`,
      value,
    );
  }
  const serving = releases.list.findLast((r) => r.rpc[api] !== undefined && compareVersions(r.rpc[api] as string, value) <= 0);
  if (!serving) {
    const oldest = releases.list.find((r) => r.rpc[api] !== undefined) as Release;
    throw invalid(
      option,
      `${api} ${value} is older than the oldest release this process knows (${oldest.name} serves ${oldest.rpc[api]})`,
      value,
    );
  }
  return { kind: 'version', option, api, version: value, release: serving };
}

/** Check a configuration against the binaries' releases; a mistake is an UpgradeError `invalid_config` naming the option. */
export function resolveConfig(config: UpgradeConfig, binaries: ReadonlyMap<string, Releases>): Map<string, ResolvedBinaryConfig> {
  if (typeof config !== 'object' || config === null) throw invalid('config', 'expected { upgradeLevels?, liftPolicy? }', config);
  for (const key of ['upgradeLevels', 'liftPolicy'] as const) {
    const section = config[key];
    if (section === undefined) continue;
    if (typeof section !== 'object' || section === null) throw invalid(key, 'expected an object keyed by binary', section);
    for (const binary of Object.keys(section)) {
      if (!binaries.has(binary))
        throw invalid(
          `${key}.${binary}`,
          `no releases are declared for binary ${JSON.stringify(binary)}; known: ${[...binaries.keys()].join(', ') || 'none'}`,
          section[binary as never],
        );
    }
  }
  const out = new Map<string, ResolvedBinaryConfig>();
  for (const [binary, releases] of binaries) {
    const lift = config.liftPolicy?.[binary] ?? 'auto';
    if (lift !== 'auto' && lift !== 'finalize')
      throw invalid(`liftPolicy.${binary}`, `expected "auto" or "finalize", got ${JSON.stringify(lift)}`, lift);
    out.set(binary, { level: resolveLevel(releases, `upgradeLevels.${binary}`, config.upgradeLevels?.[binary]), lift });
  }
  return out;
}
