import { VersionedError } from './errors.js';
import { describeValue, parseVersion } from './version.js';
import type { ObjectRegistry } from './registry.js';
import type { Manifest } from './to-primitive.js';

/**
 * Manifests across releases (Cinder's OBJ_VERSIONS): an ordered list of named manifests, each the
 * previous one with some versions moved. A pin names one of them (or an alias, such as a release name).
 */
export class ManifestHistory {
  private readonly order: string[] = [];
  private readonly manifests = new Map<string, Manifest>();
  private readonly aliases = new Map<string, string>();

  /** Add a manifest: the previous one with `updates` applied. `aliases` name it too (`'zed'`). */
  add(key: string, updates: Readonly<Record<string, string>>, options: { aliases?: readonly string[] } = {}): this {
    if (this.manifests.has(key) || this.aliases.has(key))
      throw new VersionedError('registration', `manifest ${JSON.stringify(key)} is already defined`);
    for (const [name, version] of Object.entries(updates)) {
      try {
        parseVersion(version);
      } catch {
        throw new VersionedError('registration', `manifest ${key}: ${name} must be a version, got ${JSON.stringify(version)}`);
      }
    }
    const previous = this.order.length ? this.manifests.get(this.order[this.order.length - 1] as string) : {};
    this.manifests.set(key, Object.freeze({ ...previous, ...updates }));
    this.order.push(key);
    for (const alias of options.aliases ?? []) {
      if (this.manifests.has(alias) || this.aliases.has(alias))
        throw new VersionedError('registration', `manifest alias ${JSON.stringify(alias)} is already defined`);
      this.aliases.set(alias, key);
    }
    return this;
  }

  /** The manifest under a key or alias. */
  get(keyOrAlias: string): Manifest {
    const manifest = this.manifests.get(this.aliases.get(keyOrAlias) ?? keyOrAlias);
    if (!manifest) {
      throw new VersionedError(
        'invalid_version',
        `no manifest named ${describeValue(keyOrAlias)}; known: ${[...this.order, ...this.aliases.keys()].join(', ') || 'none'}`,
      );
    }
    return manifest;
  }

  /** Whether a manifest has this key or alias. */
  has(keyOrAlias: string): boolean {
    return this.manifests.has(this.aliases.get(keyOrAlias) ?? keyOrAlias);
  }

  /** The key an alias stands for (a key stands for itself). */
  resolve(keyOrAlias: string): string {
    this.get(keyOrAlias);
    return this.aliases.get(keyOrAlias) ?? keyOrAlias;
  }

  /** Keys, oldest first. */
  keys(): string[] {
    return [...this.order];
  }

  /** The key of the newest manifest (an error when there is none). */
  latestKey(): string {
    const key = this.order[this.order.length - 1];
    if (key === undefined) throw new VersionedError('invalid_version', 'the manifest history is empty');
    return key;
  }

  /** The newest manifest. */
  latest(): Manifest {
    return this.get(this.latestKey());
  }

  /** Where the newest manifest and the registry's newest classes disagree (Cinder's test). Empty when they agree. */
  mismatches(registry: ObjectRegistry): string[] {
    const latest = this.latest();
    const problems: string[] = [];
    for (const name of registry.names()) {
      const registered = registry.newest(name).version;
      if (latest[name] === undefined) problems.push(`${name} ${registered} is registered but missing from manifest ${this.latestKey()}`);
      else if (latest[name] !== registered)
        problems.push(`${name}: manifest ${this.latestKey()} says ${latest[name]}, the registered class is ${registered}`);
    }
    for (const name of Object.keys(latest)) {
      if (!registry.has(name)) problems.push(`${name} is in manifest ${this.latestKey()} but no class is registered`);
    }
    return problems;
  }

  /** Throw a `registration` error listing every mismatch with the registry. */
  check(registry: ObjectRegistry): void {
    const problems = this.mismatches(registry);
    if (problems.length)
      throw new VersionedError('registration', `the newest manifest disagrees with the registry:\n  ${problems.join('\n  ')}`, {
        details: { problems },
      });
  }
}
