import { isCompatible, parseVersion } from '@versioned/objects';
import { RpcError } from '../errors.js';
import { mapArgs, maxVersion, type CompiledApi, type MajorShape, type MethodShape } from './declaration.js';

/** What a call is sent as: the version, the method (another one when degraded) and the arguments. */
export interface PlannedCall {
  readonly version: string;
  readonly method: string;
  readonly args: Record<string, unknown>;
  /** The major whose declaration the call follows. */
  readonly major: MajorShape;
}

/** The method's arguments a call passes (an `undefined` value is not passed); an unknown one is refused. */
function passed(api: CompiledApi, shape: MethodShape, args: Record<string, unknown>): string[] {
  const names: string[] = [];
  for (const name of Object.keys(args)) {
    if (args[name] === undefined) continue;
    if (!shape.args.has(name)) {
      throw new RpcError(
        'invalid_argument',
        `${shape.name}.${name}: not an argument of ${api.topic}.${shape.name} (it takes ${[...shape.args.keys()].join(', ') || 'none'})`,
        {
          details: { topic: api.topic, method: shape.name, argument: name, path: `${shape.name}.${name}` },
        },
      );
    }
    names.push(name);
  }
  return names;
}

function capError(api: CompiledApi, method: string, needed: string, cap: string, argument?: string): RpcError {
  const what = argument ? `argument ${method}.${argument}` : method;
  const where = parseVersion(needed)[0] === parseVersion(cap)[0] ? 'above' : 'of another major than';
  return new RpcError(
    'version_cap',
    `${api.topic}.${what} needs version ${needed}, ${where} the version cap ${cap}, and declares no degradation (nothing was sent)`,
    {
      details: { topic: api.topic, method, ...(argument ? { argument } : {}), needed, versionCap: cap },
    },
  );
}

/**
 * The version a call goes at: the lowest that has the method and every argument it passes. Under a cap below
 * that, the declared degradations apply (drop an argument, call another method, speak the previous major
 * while it is served); otherwise an RpcError 'version_cap' names the method (and argument) and the version needed.
 */
export function planCall(api: CompiledApi, method: string, args: Record<string, unknown>, cap: string | undefined): PlannedCall {
  return planIn(api, api.current, method, args, cap, new Set());
}

function planIn(
  api: CompiledApi,
  major: MajorShape,
  method: string,
  args: Record<string, unknown>,
  cap: string | undefined,
  seen: Set<string>,
): PlannedCall {
  const shape = major.methods.get(method);
  if (!shape) {
    throw new RpcError(
      'no_such_method',
      `${api.topic} ${major.major}.x has no method ${JSON.stringify(method)} (it has ${[...major.methods.keys()].join(', ')})`,
      {
        details: { topic: api.topic, method },
      },
    );
  }
  const names = passed(api, shape, args);
  args = Object.fromEntries(names.map((name) => [name, args[name]]));
  const sinceOf = (name: string): string => shape.args.get(name)?.since as string;
  const needed = maxVersion([shape.since, ...names.map(sinceOf)]);
  if (cap === undefined || isCompatible(cap, needed)) return { version: needed, method, args, major };
  const capMajor = parseVersion(cap)[0];
  if (capMajor === major.major) {
    if (!isCompatible(cap, shape.since)) {
      const alternative = shape.ifCapped;
      if (!alternative || seen.has(method)) throw capError(api, method, shape.since, cap);
      seen.add(method);
      return planIn(
        api,
        major,
        alternative.method,
        alternative.args ? mapArgs(alternative.args, args, `${api.topic}.${method}.ifCapped.args`) : args,
        cap,
        seen,
      );
    }
    const kept: Record<string, unknown> = {};
    for (const name of names) {
      const arg = shape.args.get(name);
      if (arg && !isCompatible(cap, arg.since)) {
        if (!arg.dropIfCapped) throw capError(api, method, arg.since, cap, name);
        continue;
      }
      kept[name] = args[name];
    }
    return { version: maxVersion([shape.since, ...Object.keys(kept).map(sinceOf)]), method, args: kept, major };
  }
  const older = api.proxied;
  if (older && major === api.current && capMajor === older.major) {
    const oldName = [...older.methods.keys()].find((o) => (api.current.previous.get(o)?.method ?? o) === method);
    if (oldName !== undefined) {
      const downgrade = api.current.previous.get(oldName)?.downgrade;
      return planIn(
        api,
        older,
        oldName,
        downgrade ? mapArgs(downgrade, args, `${api.topic} ${api.current.newest} previous.${oldName}.downgrade`) : args,
        cap,
        seen,
      );
    }
  }
  throw capError(api, method, needed, cap);
}
