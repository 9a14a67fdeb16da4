/**
 * Seed 002's conductor API, declared: release N serves 1.1; N+1 opens 2.0 (build_instance takes `name` instead
 * of `instance_name`) and serves 1.x alongside through the generated proxy; N+2 retires 1.x and adds `flavor`.
 * Each release's code carries the history up to itself.
 */
import { f } from '@versioned/objects';
import { defineRpcApi } from '../../src/index.js';

export type Built = Record<string, string>;
const BUILT = f.dict(f.string());

export const HISTORY_N = [
  {
    version: '1.0',
    release: 'N',
    note: 'Initial version',
    methods: { build_instance: { args: { instance_name: f.string() }, result: BUILT } },
  },
  {
    version: '1.1',
    release: 'N',
    note: 'build_instance() takes host',
    args: { build_instance: { host: { type: f.string(), default: 'any' } } },
  },
] as const;

export const HISTORY_N1 = [
  ...HISTORY_N,
  {
    version: '2.0',
    release: 'N+1',
    note: 'Drops 1.x compatibility; build_instance() takes `name` instead of `instance_name`',
    methods: { build_instance: { args: { name: f.string(), host: f.string() }, result: BUILT } },
    previous: {
      build_instance: {
        upgrade: (a: Record<string, unknown>) => ({ name: a['instance_name'], host: a['host'] }),
        downgrade: (a: Record<string, unknown>) => ({ instance_name: a['name'], host: a['host'] }),
      },
    },
  },
] as const;

export const HISTORY_N2 = [
  ...HISTORY_N1,
  {
    version: '2.1',
    release: 'N+2',
    note: 'build_instance() takes flavor; 1.x is retired',
    args: { build_instance: { flavor: { type: f.string(), optional: true, ifCapped: 'drop' } } },
    retires: 1,
  },
] as const;

export const conductorN = defineRpcApi({ topic: 'conductor', history: HISTORY_N });
export const conductorN1 = defineRpcApi({ topic: 'conductor', history: HISTORY_N1 });
export const conductorN2 = defineRpcApi({ topic: 'conductor', history: HISTORY_N2 });
