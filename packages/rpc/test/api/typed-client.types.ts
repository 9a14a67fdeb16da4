/**
 * Type tests, compiled by `tsc -b` (nothing here runs): each `@ts-expect-error` line must be a type error,
 * or the build fails with "Unused '@ts-expect-error' directive".
 */
import { f } from '@versioned/objects';
import { defineRpcApi, type CallArgs, type ArgDecls, type ResultOf } from '../../src/index.js';
import { RecordingTransport } from '../helpers.js';
import { conductorN1, conductorN2 } from './conductor-api.js';

const api = defineRpcApi({
  topic: 'types',
  history: [
    {
      version: '1.0',
      release: 'N',
      note: 'Initial',
      methods: { resize: { args: { id: f.uuid(), size: f.integer() }, result: f.integer() }, ping: {} },
    },
    { version: '1.1', release: 'N+1', note: 'resize takes force', args: { resize: { force: { type: f.boolean(), default: false } } } },
  ],
});
const client = api.client({ transport: new RecordingTransport() });
const ctx = {};

export async function checks(): Promise<void> {
  const size: number = await client.call(ctx, 'resize', { id: 'x', size: 1 });
  await client.call(ctx, 'resize', { id: 'x', size: 1, force: true });
  await client.call(ctx, 'ping');
  void size;
  // @ts-expect-error: an unknown method
  await client.call(ctx, 'resise', { id: 'x', size: 1 });
  // @ts-expect-error: a wrong argument type
  await client.call(ctx, 'resize', { id: 'x', size: '1' });
  // @ts-expect-error: an unknown argument
  await client.call(ctx, 'resize', { id: 'x', size: 1, colour: 'red' });
  // @ts-expect-error: a missing required argument
  await client.call(ctx, 'resize', { id: 'x' });
  // @ts-expect-error: a defaulted argument has its declared type too
  await client.call(ctx, 'resize', { id: 'x', size: 1, force: 'yes' });
  // @ts-expect-error: the result type is the declared one
  const wrong: string = await client.call(ctx, 'resize', { id: 'x', size: 1 });
  void wrong;

  // A new major replaces the signature: 2.0's build_instance takes `name`, not `instance_name`.
  const n1 = conductorN1.client({ transport: new RecordingTransport() });
  await n1.call(ctx, 'build_instance', { name: 'vm', host: 'h' });
  // @ts-expect-error: instance_name is gone at 2.0
  await n1.call(ctx, 'build_instance', { instance_name: 'vm', host: 'h' });
  const n2 = conductorN2.client({ transport: new RecordingTransport() });
  await n2.call(ctx, 'build_instance', { name: 'vm', host: 'h', flavor: 'm1' });
}

// The implementation is typed too: defaults arrive filled in, results must match.
api.endpoints({
  resize: (_c, args) => {
    const force: boolean = args.force;
    void force;
    return args.size;
  },
  ping: () => undefined,
});
// @ts-expect-error: a method of the API is not implemented
api.endpoints({ resize: (_c, args) => args.size });
// @ts-expect-error: the result does not have the declared type
api.endpoints({ resize: () => 'big', ping: () => undefined });

type ResizeArgs = CallArgs<ArgDecls<typeof api.history, 'resize'>>;
export const sample: ResizeArgs = { id: 'x', size: 2 };
export type ResizeResult = ResultOf<typeof api.history, 'resize'>;
