import { compareVersions, isVersion, type Manifest, type ManifestHistory, type ObjectRegistry } from '@versioned/objects';
import { UpgradeError } from './errors.js';

/** One release of a service binary, as its code declares it. */
export interface ReleaseSpec {
  /** The release name, also its alias in configuration (`upgradeLevels: { volume: 'antelope' }`). */
  readonly name: string;
  /** The RPC API version this release serves, for each API it serves (`{ volume: '3.1' }`). */
  readonly rpc: Readonly<Record<string, string>>;
  /** The key of its object manifest in the binary's ManifestHistory (Cinder's OBJ_VERSIONS key). */
  readonly objects: string;
}

/** A release of a known list: its spec, its place in the list (0 = oldest) and its manifest. */
export interface Release extends ReleaseSpec {
  readonly index: number;
  readonly manifest: Manifest;
}

/** What a services row says about the release that wrote it (enough to order an unknown release). */
export interface ReleaseClaim {
  readonly release: string;
  readonly rpcVersions: Readonly<Record<string, string>>;
}

/**
 * The releases of one service binary, oldest first: the data from which pins, the "too old" check and the
 * release-name aliases are derived. The name -> version table that Nova keeps by hand (VERSION_ALIASES) is
 * `aliases(api)`, never typed a second time.
 *
 * ```ts ignore
 * const volume = new Releases('volume', [
 *   { name: 'N', rpc: { volume: '1.0' }, objects: 'N' },
 *   { name: 'N+1', rpc: { volume: '1.1' }, objects: 'N+1' },
 * ], { objects: OBJECT_VERSIONS });
 * ```
 */
export class Releases {
  readonly binary: string;
  /** Every release, oldest first. */
  readonly list: readonly Release[];
  /** The object manifests the release keys refer to. */
  readonly history: ManifestHistory;
  readonly #byName = new Map<string, Release>();

  /**
   * Checks the list: at least one release, unique non-empty names, versions `X.Y[.Z]` that never decrease
   * from one release to the next, manifest keys that exist in `objects` and never go back in its order.
   * A mistake is an UpgradeError `invalid_release` naming the release and the field.
   */
  constructor(binary: string, releases: readonly ReleaseSpec[], options: { objects: ManifestHistory }) {
    if (typeof binary !== 'string' || binary === '') throw new UpgradeError('invalid_release', 'a binary name must be a non-empty string');
    if (!Array.isArray(releases) || releases.length === 0)
      throw new UpgradeError('invalid_release', `${binary}: the release list is empty; declare at least the release this code is`);
    this.binary = binary;
    this.history = options.objects;
    const keyOrder = this.history.keys();
    const list: Release[] = [];
    for (const [index, spec] of releases.entries()) {
      const where = `${binary} release ${index}${typeof spec?.name === 'string' ? ` (${JSON.stringify(spec.name)})` : ''}`;
      if (typeof spec !== 'object' || spec === null) throw new UpgradeError('invalid_release', `${where}: expected { name, rpc, objects }`);
      if (typeof spec.name !== 'string' || spec.name.trim() === '')
        throw new UpgradeError('invalid_release', `${where}.name: expected a non-empty string`);
      if (this.#byName.has(spec.name))
        throw new UpgradeError('invalid_release', `${where}.name: ${JSON.stringify(spec.name)} is declared twice`);
      if (isVersion(spec.name) || spec.name === 'auto')
        throw new UpgradeError('invalid_release', `${where}.name: a release name must not look like a version or be "auto"`);
      if (typeof spec.rpc !== 'object' || spec.rpc === null || Object.keys(spec.rpc).length === 0) {
        throw new UpgradeError('invalid_release', `${where}.rpc: expected at least one API and its version ({ volume: '1.0' })`);
      }
      const previous = list.at(-1);
      for (const [api, version] of Object.entries(spec.rpc)) {
        if (!isVersion(version))
          throw new UpgradeError('invalid_release', `${where}.rpc.${api}: expected "X.Y" or "X.Y.Z", got ${JSON.stringify(version)}`);
        const before = previous?.rpc[api];
        if (before !== undefined && compareVersions(version, before) < 0) {
          throw new UpgradeError(
            'invalid_release',
            `${where}.rpc.${api}: ${version} is older than ${before} of release ${previous?.name}; list releases oldest first`,
          );
        }
      }
      if (typeof spec.objects !== 'string' || !this.history.has(spec.objects)) {
        throw new UpgradeError(
          'invalid_release',
          `${where}.objects: no manifest named ${JSON.stringify(spec.objects)}; known: ${keyOrder.join(', ') || 'none'}`,
        );
      }
      const key = this.history.resolve(spec.objects);
      if (previous && keyOrder.indexOf(key) < keyOrder.indexOf(this.history.resolve(previous.objects))) {
        throw new UpgradeError(
          'invalid_release',
          `${where}.objects: manifest ${key} comes before ${previous.objects} of release ${previous.name}; list releases oldest first`,
        );
      }
      const release: Release = Object.freeze({
        name: spec.name,
        rpc: Object.freeze({ ...spec.rpc }),
        objects: key,
        index,
        manifest: this.history.get(key),
      });
      list.push(release);
      this.#byName.set(release.name, release);
    }
    this.list = Object.freeze(list);
  }

  /** The oldest release of the binary (the first declared). */
  get oldest(): Release {
    return this.list[0] as Release;
  }

  /** The release this code is (the last of the list). */
  get newest(): Release {
    return this.list[this.list.length - 1] as Release;
  }

  /** Every API any release serves. */
  get apis(): string[] {
    return [...new Set(this.list.flatMap((release) => Object.keys(release.rpc)))];
  }

  /** The release of that name, or undefined. */
  find(name: string): Release | undefined {
    return this.#byName.get(name);
  }

  /** The release of that name; an UpgradeError `invalid_config` listing the known names otherwise. */
  get(name: string): Release {
    const release = this.#byName.get(name);
    if (!release)
      throw new UpgradeError(
        'invalid_config',
        `${this.binary}: unknown release ${JSON.stringify(name)}; known: ${this.names().join(', ')}`,
      );
    return release;
  }

  /** The release names, oldest first. */
  names(): string[] {
    return this.list.map((release) => release.name);
  }

  /**
   * Release name -> RPC version of `api` (Nova's VERSION_ALIASES), derived from the list. `api` may be left
   * out when the binary serves one API.
   */
  aliases(api?: string): Readonly<Record<string, string>> {
    const name = api ?? this.soleApi('aliases()');
    const out: Record<string, string> = {};
    for (const release of this.list) {
      const version = release.rpc[name];
      if (version !== undefined) out[release.name] = version;
    }
    return Object.freeze(out);
  }

  /**
   * Where a services row stands against this list: the index of its release when the name is known;
   * otherwise -1 when every API version it serves is older than the oldest release's (a release too old to
   * know), or `list.length` (a release newer than this process).
   */
  rankOf(claim: ReleaseClaim): number {
    const known = this.#byName.get(claim.release);
    if (known) return known.index;
    const shared = Object.entries(claim.rpcVersions).filter(([api]) => this.oldest.rpc[api] !== undefined);
    if (
      shared.length > 0 &&
      shared.every(([api, version]) => isVersion(version) && compareVersions(version, this.oldest.rpc[api] as string) < 0)
    )
      return -1;
    return this.list.length;
  }

  /** The only API of the binary; an `invalid_config` error naming `what` when it serves several. */
  soleApi(what: string): string {
    const apis = this.apis;
    if (apis.length !== 1)
      throw new UpgradeError('invalid_config', `${this.binary} serves ${apis.length} APIs (${apis.join(', ')}): ${what} needs one named`);
    return apis[0] as string;
  }
}

/** What a binary's code actually serves and registers, for `newestReleaseProblems`. */
export interface ServedByCode {
  /** The RPC API versions the code's endpoints serve, by API (`{ volume: VolumeManager.target.version }`). */
  readonly rpc: Readonly<Record<string, string>>;
  /** The registry of the code's object classes: the newest manifest must match it. */
  readonly registry?: ObjectRegistry;
}

/**
 * Where the newest declared release and the code disagree: its RPC versions against what the endpoints
 * serve, its manifest against the history's newest and (given a registry) the registered classes. Empty when
 * they agree. The check a unit test makes so that a release is never declared by hand wrong (pain 5).
 */
export function newestReleaseProblems(releases: Releases, code: ServedByCode): string[] {
  const newest = releases.newest;
  const problems: string[] = [];
  for (const api of new Set([...Object.keys(newest.rpc), ...Object.keys(code.rpc)])) {
    const declared = newest.rpc[api];
    const served = code.rpc[api];
    if (declared === undefined) problems.push(`the code serves ${api} ${served} but release ${newest.name} does not declare ${api}`);
    else if (served === undefined) problems.push(`release ${newest.name} declares ${api} ${declared} but the code does not serve ${api}`);
    else if (declared !== served) problems.push(`release ${newest.name} declares ${api} ${declared} but the code serves ${served}`);
  }
  const latestKey = releases.history.latestKey();
  if (newest.objects !== latestKey)
    problems.push(`release ${newest.name} registers objects ${newest.objects} but the newest manifest is ${latestKey}`);
  if (code.registry) problems.push(...releases.history.mismatches(code.registry));
  return problems;
}

/** Throws an UpgradeError `invalid_release` listing `newestReleaseProblems`; use it in a unit test. */
export function assertNewestRelease(releases: Releases, code: ServedByCode): void {
  const problems = newestReleaseProblems(releases, code);
  if (problems.length) {
    throw new UpgradeError(
      'invalid_release',
      `${releases.binary}: the newest release is not what the code serves:\n  ${problems.join('\n  ')}`,
      { details: { problems } },
    );
  }
}
