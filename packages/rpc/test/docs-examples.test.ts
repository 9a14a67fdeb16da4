/**
 * The code examples of docs/rpc.md. Each `#region` below appears verbatim (dedented) as a ```ts block
 * in the doc, and every ```ts block of the doc is one of these regions: the last test checks both ways.
 */
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// #region imports
import assert from 'node:assert/strict';
import { ObjectRegistry, VersionedObject, f, field, versionedObject } from '@versioned/objects';
import {
  InMemoryTransport,
  ObjectsRpcSerializer,
  RpcClient,
  RpcError,
  RpcServer,
  isRpcError,
  type RequestContext,
  type Transport,
  type VersionCapSource,
} from '@versioned/rpc';
// #endregion

// #region conductor-api
/**
 * The conductor's RPC API, calling side.
 *
 * Version history (never edit a line, only add one):
 *   1.0 - Initial version: build_instance(instance_name)
 *   1.1 - build_instance() takes host
 *   1.2 - Adds ping()
 */
export class ConductorAPI {
  private readonly client: RpcClient;

  constructor(transport: Transport, versionCap?: string | VersionCapSource) {
    // The base version is 1.0; each method prepares the version it needs.
    this.client = new RpcClient({ transport, target: { topic: 'conductor', version: '1.0' }, versionCap });
  }

  buildInstance(ctx: RequestContext, name: string, host: string): Promise<string> {
    // 1.1 added host: servers that only read 1.0 get the old signature and choose a host themselves.
    if (this.client.canSendVersion('1.1')) {
      return this.client.prepare({ version: '1.1' }).call(ctx, 'build_instance', { instance_name: name, host });
    }
    return this.client.call(ctx, 'build_instance', { instance_name: name });
  }

  ping(ctx: RequestContext): Promise<string> {
    return this.client.prepare({ version: '1.2' }).call(ctx, 'ping');
  }
}

/** The serving side implements the newest version, and still answers every older 1.x caller. */
export class ConductorManager {
  readonly target = { version: '1.2' };

  build_instance(_ctx: RequestContext, args: { instance_name: string; host?: string }): string {
    return `built ${args.instance_name} on ${args.host ?? 'a host of my choosing'}`;
  }

  ping(): string {
    return 'pong';
  }

  /** Private: a leading underscore is never callable over RPC. */
  _reschedule(): void {}
}
// #endregion

test('docs: a versioned API served and called', async () => {
  // #region serve-and-call
  const transport = new InMemoryTransport();
  const server = new RpcServer({ transport, target: { topic: 'conductor', server: 'conductor-1' }, endpoints: [new ConductorManager()] });
  await server.start();

  const conductor = new ConductorAPI(transport);
  assert.equal(await conductor.buildInstance({ request_id: 'req-1' }, 'vm1', 'compute-7'), 'built vm1 on compute-7');
  assert.equal(await conductor.ping({}), 'pong');

  await server.stop();
  await transport.close();
  // #endregion
});

test('docs: timeouts in seconds or milliseconds', () => {
  // #region timeouts
  const client = new RpcClient({ transport: new InMemoryTransport(), target: { topic: 'conductor' }, timeout: 30 });
  assert.equal(client.timeoutMs, 30_000);
  assert.equal(client.prepare({ timeout: 5 }).timeoutMs, 5000);
  assert.equal(client.prepare({ timeoutMs: 250 }).timeoutMs, 250);
  assert.throws(() => client.prepare({ timeout: 5, timeoutMs: 5 }), (err) => isRpcError(err, 'invalid_target'));
  // #endregion
});

test('docs: capping the version, and lifting the cap at run time', async () => {
  const transport = new InMemoryTransport();
  await new RpcServer({ transport, target: { topic: 'conductor', server: 'conductor-1' }, endpoints: [new ConductorManager()] }).start();
  // #region cap
  // [upgrade_levels] conductor = 1.1 while some conductors still run the release that stops at 1.1.
  // The client reads the cap on every call, so a configuration reload applies without a restart.
  let configuredCap: string | undefined = '1.1';
  const conductor = new ConductorAPI(transport, () => configuredCap);

  assert.equal(await conductor.buildInstance({}, 'vm1', 'compute-7'), 'built vm1 on compute-7');
  await assert.rejects(
    conductor.ping({}),
    (err) => isRpcError(err, 'version_cap') && err.message.startsWith('version_cap: message version 1.2 is above the version cap 1.1'),
  );

  configuredCap = undefined; // every conductor now runs the new release
  assert.equal(await conductor.ping({}), 'pong');
  // #endregion
  await transport.close();
});

test('docs: degrading with canSendVersion', async () => {
  const transport = new InMemoryTransport();
  await new RpcServer({ transport, target: { topic: 'conductor', server: 'conductor-1' }, endpoints: [new ConductorManager()] }).start();
  // #region degrade
  // Capped at 1.0, buildInstance() takes the older path: the host argument is dropped, not refused.
  const oldFleet = new ConductorAPI(transport, '1.0');
  assert.equal(await oldFleet.buildInstance({}, 'vm2', 'compute-7'), 'built vm2 on a host of my choosing');
  // #endregion
  await transport.close();
});

// #region objects
const registry = new ObjectRegistry();

@versionedObject({
  name: 'Instance',
  version: '1.1',
  registry,
  history: [
    { version: '1.0', note: 'Initial version' },
    { version: '1.1', added: ['flavor'], note: 'Add flavor' },
  ],
})
class Instance extends VersionedObject {
  @field(f.string()) declare name: string;
  @field(f.string(), { nullable: true }) declare flavor: string | null;
}

class InstanceManager {
  readonly target = { version: '1.0' };
  describe(_ctx: RequestContext, args: { instance: Instance }): Instance {
    // The endpoint receives an Instance, not a dictionary; what it returns is backported for the caller.
    assert.ok(args.instance instanceof Instance);
    return args.instance;
  }
}
// #endregion

test('docs: versioned objects across RPC', async () => {
  // #region objects-call
  const transport = new InMemoryTransport();
  await new RpcServer({
    transport,
    target: { topic: 'instances', server: 'api-1' },
    endpoints: [new InstanceManager()],
    serializer: new ObjectsRpcSerializer({ registry }),
  }).start();

  // Pinned to what the oldest service reads: Instance 1.0. A function, so the pin can move at run time.
  let pins: Record<string, string> | undefined = { Instance: '1.0' };
  const client = new RpcClient({
    transport,
    target: { topic: 'instances' },
    serializer: new ObjectsRpcSerializer({ registry, manifest: () => pins }),
  });

  const instance = Instance.create({ name: 'vm1', flavor: 'm1.small' });
  // The argument goes out as Instance 1.0 (no flavor), and the reply is backported to the caller's pins too.
  const reply = (await client.call({}, 'describe', { instance })) as Instance;
  assert.equal(reply.objVersion, '1.0');
  assert.equal(reply.isSet('flavor'), false);

  pins = undefined; // everyone reads 1.1 now
  assert.equal(((await client.call({}, 'describe', { instance })) as Instance).flavor, 'm1.small');
  await transport.close();
  // #endregion
});

// #region major-bump
/**
 * Release N+1, step 1 of the bump to 2.0 (merged just before the release):
 * the manager moves to 2.0 and drops the 1.x compatibility code...
 *   2.0 - build_instance(name, host): instance_name renamed to name; host required
 */
class ConductorManagerV2 {
  readonly target = { version: '2.0' };
  build_instance(_ctx: RequestContext, args: { name: string; host: string }): string {
    return `built ${args.name} on ${args.host} (2.0)`;
  }
  ping(): string {
    return 'pong';
  }
}

/** ...and this endpoint keeps serving the 1.x signatures on top of it. Release N+2 (step 2) deletes it. */
class ConductorV1Proxy {
  readonly target = { version: '1.2' };
  constructor(private readonly manager: ConductorManagerV2) {}
  build_instance(ctx: RequestContext, args: { instance_name: string; host?: string }): string {
    return this.manager.build_instance(ctx, { name: args.instance_name, host: args.host ?? 'compute-1' });
  }
  ping(): string {
    return this.manager.ping();
  }
}

/** The N+1 client speaks 2.0 once the cap allows it, 1.x until then. */
class ConductorAPIv2 {
  private readonly client: RpcClient;
  constructor(transport: Transport, versionCap?: string | VersionCapSource) {
    this.client = new RpcClient({ transport, target: { topic: 'conductor', version: '2.0' }, versionCap });
  }
  buildInstance(ctx: RequestContext, name: string, host: string): Promise<string> {
    if (this.client.canSendVersion('2.0')) return this.client.call(ctx, 'build_instance', { name, host });
    return this.client.prepare({ version: '1.1' }).call(ctx, 'build_instance', { instance_name: name, host });
  }
}
// #endregion

test('docs: bumping a major across a release boundary', async () => {
  // #region major-bump-serve
  const transport = new InMemoryTransport();
  const manager = new ConductorManagerV2();
  await new RpcServer({
    transport,
    target: { topic: 'conductor', server: 'conductor-1' },
    // Order matters: the first endpoint whose version is compatible and which has the method wins.
    endpoints: [manager, new ConductorV1Proxy(manager)],
  }).start();

  // A release N client (1.x only) keeps working through the proxy...
  assert.equal(await new ConductorAPI(transport).buildInstance({}, 'vm1', 'compute-7'), 'built vm1 on compute-7 (2.0)');
  // ...an N+1 client capped at the old version sends 1.1...
  assert.equal(await new ConductorAPIv2(transport, '1.2').buildInstance({}, 'vm2', 'compute-7'), 'built vm2 on compute-7 (2.0)');
  // ...and once every service runs N+1 the cap goes and 2.0 is sent.
  assert.equal(await new ConductorAPIv2(transport).buildInstance({}, 'vm3', 'compute-7'), 'built vm3 on compute-7 (2.0)');
  await transport.close();
  // #endregion
});

test('docs: an unsupported major fails with a typed error', async () => {
  // #region major-bump-too-early
  // Release N+2 dropped the proxy. A release N client is two releases behind: not supported.
  const transport = new InMemoryTransport();
  await new RpcServer({ transport, target: { topic: 'conductor', server: 'conductor-1' }, endpoints: [new ConductorManagerV2()] }).start();
  await assert.rejects(
    new ConductorAPI(transport).buildInstance({}, 'vm1', 'compute-7'),
    (err) => isRpcError(err, 'unsupported_version') && err.message.includes('versions served: 2.0'),
  );
  await transport.close();
  // #endregion
});

test('docs: remote errors', async () => {
  // #region remote-errors
  /** An error of the API: declared by the server, rebuilt by the client. */
  class InstanceNotFound extends Error {
    static readonly rpcModule = 'conductor.errors';
    constructor(
      message: string,
      readonly instanceName?: string,
    ) {
      super(message);
    }
  }

  const transport = new InMemoryTransport();
  await new RpcServer({
    transport,
    target: { topic: 'conductor', server: 'conductor-1' },
    allowedErrors: [InstanceNotFound], // sent with their properties; others with class, module and message only
    endpoints: [
      {
        target: { version: '1.0' },
        get(_ctx: RequestContext, args: { name: string }) {
          throw new InstanceNotFound(`no instance ${args.name}`, args.name);
        },
      },
    ],
  }).start();

  const allowed = new RpcClient({ transport, target: { topic: 'conductor' }, allowedRemoteErrors: [InstanceNotFound] });
  await assert.rejects(
    allowed.call({}, 'get', { name: 'vm9' }),
    (err) => isRpcError(err, 'remote') && err.cause instanceof InstanceNotFound && err.cause.instanceName === 'vm9',
  );

  const generic = new RpcClient({ transport, target: { topic: 'conductor' } });
  await assert.rejects(
    generic.call({}, 'get', { name: 'vm9' }),
    (err) => isRpcError(err, 'remote') && err.details['class'] === 'InstanceNotFound' && err.details['module'] === 'conductor.errors',
  );

  // One type to switch on, whatever was thrown.
  const wrapped = RpcError.from(new TypeError('not a number'));
  assert.equal(wrapped.code, 'remote');
  assert.equal(wrapped.message, 'remote: TypeError: not a number');
  assert.ok(wrapped.cause instanceof TypeError);
  await transport.close();
  // #endregion
});

test('docs/rpc.md shows exactly the regions of this file', () => {
  const here = fileURLToPath(import.meta.url); // packages/rpc/dist/test/docs-examples.test.js
  const source = readFileSync(new URL('../../test/docs-examples.test.ts', import.meta.url), 'utf8');
  const doc = readFileSync(new URL('../../../../docs/rpc.md', import.meta.url), 'utf8');
  const regions = [...source.matchAll(/^[ \t]*\/\/ #region ([\w-]+)\n([\s\S]*?)^[ \t]*\/\/ #endregion/gm)].map((m) => ({ name: m[1], code: dedent(m[2] as string) }));
  const blocks = [...doc.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
  assert.ok(regions.length >= 8, `expected the example regions in ${here}`);
  for (const region of regions) assert.ok(blocks.includes(region.code), `docs/rpc.md lacks the region "${region.name}" as a \`\`\`ts block, verbatim`);
  for (const block of blocks) assert.ok(regions.some((r) => r.code === block), `docs/rpc.md has a \`\`\`ts block that is not a tested region:\n${block.slice(0, 200)}`);
});

function dedent(code: string): string {
  const lines = code.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => (l.match(/^ */) as RegExpMatchArray)[0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
