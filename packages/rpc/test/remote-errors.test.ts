import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VersionedError, isVersionedError } from '@versioned/objects';
import { InMemoryTransport, RpcClient, RpcError, RpcServer, isRpcError, type RemoteErrorClass } from '../src/index.js';
import { fromFailure, toFailure } from '../src/failure.js';

class InstanceNotFound extends Error {
  static readonly rpcModule = 'nova.exception';
  constructor(
    message: string,
    readonly instanceId?: string,
  ) {
    super(message);
    this.name = 'InstanceNotFound';
  }
}

class QuotaExceeded extends Error {
  constructor(
    readonly resource: string,
    readonly limit: number,
  ) {
    super(`quota exceeded for ${resource}: limit ${limit}`);
  }
  static fromRpcFailure(failure: { kwargs?: Record<string, unknown> }): QuotaExceeded {
    return new QuotaExceeded(String(failure.kwargs?.['resource']), Number(failure.kwargs?.['limit']));
  }
}

class DatabaseError extends Error {
  readonly dsn = 'postgres://admin:secret@db/nova';
}

async function setup(allowedRemoteErrors: RemoteErrorClass[] = [], allowedErrors: RemoteErrorClass[] = [InstanceNotFound, QuotaExceeded]) {
  const transport = new InMemoryTransport();
  await new RpcServer({
    transport,
    target: { topic: 'compute', server: 'h1' },
    allowedErrors,
    endpoints: [
      {
        get: (_c: unknown, args: { id: string }) => {
          throw new InstanceNotFound(`instance ${args.id} not found`, args.id);
        },
        quota: () => {
          throw new QuotaExceeded('cores', 20);
        },
        db: () => {
          throw new DatabaseError('connection refused');
        },
        typeError: () => {
          throw new TypeError('x is not a function');
        },
        versioned: () => {
          throw new VersionedError('incompatible_version', 'Volume 1.9 cannot be read here', {
            path: ['Volume'],
            details: { name: 'Volume' },
          });
        },
        rpc: () => {
          throw new RpcError('timeout', 'no reply from scheduler within 10 ms', { details: { topic: 'scheduler' } });
        },
        notAnError: () => {
          throw 'a string';
        },
      },
    ],
  }).start();
  return { transport, client: new RpcClient({ transport, target: { topic: 'compute' }, allowedRemoteErrors }) };
}

test('an allow-listed remote error is rebuilt as its own class with its message and properties, as the cause of an RpcError remote', async () => {
  const { transport, client } = await setup([InstanceNotFound]);
  await assert.rejects(client.call({}, 'get', { id: 'i-1' }), (outer: unknown) => {
    assert.ok(isRpcError(outer, 'remote'));
    assert.match(outer.message, /^remote: remote error nova\.exception\.InstanceNotFound: instance i-1 not found$/);
    const err = outer.cause;
    assert.ok(err instanceof InstanceNotFound);
    assert.equal(err.message, 'instance i-1 not found');
    assert.equal(err.instanceId, 'i-1');
    return true;
  });
  await transport.close();
});

test('an allow-listed class may rebuild itself with fromRpcFailure', async () => {
  const { transport, client } = await setup([QuotaExceeded]);
  await assert.rejects(
    client.call({}, 'quota'),
    (err: unknown) =>
      isRpcError(err, 'remote') && err.cause instanceof QuotaExceeded && err.cause.resource === 'cores' && err.cause.limit === 20,
  );
  await transport.close();
});

test('a remote error not on the allow-list is an RpcError remote carrying class, module and message', async () => {
  const { transport, client } = await setup([]);
  await assert.rejects(client.call({}, 'get', { id: 'i-2' }), (err: unknown) => {
    assert.ok(isRpcError(err, 'remote'));
    assert.equal(err.details['class'], 'InstanceNotFound');
    assert.equal(err.details['module'], 'nova.exception');
    assert.equal(err.details['message'], 'instance i-2 not found');
    assert.match(err.message, /nova\.exception\.InstanceNotFound: instance i-2 not found/);
    return true;
  });
  await transport.close();
});

test('a class name alone does not match when the module differs', () => {
  const failure = { class: 'InstanceNotFound', module: 'cinder.exception', message: 'm' };
  assert.ok(isRpcError(fromFailure(failure, [InstanceNotFound]), 'remote'));
});

test('an allow-listed class without rpcModule matches by class name', () => {
  class Conflict extends Error {}
  const err = fromFailure({ class: 'Conflict', module: 'anything', message: 'busy', args: ['busy'] }, [Conflict]);
  assert.ok(err instanceof Conflict);
  assert.equal(err.message, 'busy');
});

test('an error the server did not declare goes back without its properties (no leaked internals)', async () => {
  const { transport, client } = await setup([]);
  await assert.rejects(client.call({}, 'db'), (err: unknown) => {
    assert.ok(isRpcError(err, 'remote'));
    assert.equal(err.details['class'], 'DatabaseError');
    assert.deepEqual(err.details['kwargs'], {});
    assert.doesNotMatch(JSON.stringify(err.details), /secret/);
    return true;
  });
  await transport.close();
});

test('a declared error goes back with its properties as kwargs', () => {
  const failure = toFailure(new InstanceNotFound('gone', 'i-9'), [InstanceNotFound]);
  assert.deepEqual(failure, {
    class: 'InstanceNotFound',
    module: 'nova.exception',
    message: 'gone',
    args: ['gone'],
    kwargs: { instanceId: 'i-9' },
  });
});

test('a built-in JavaScript error is reported under module builtins', async () => {
  const { transport, client } = await setup([]);
  await assert.rejects(
    client.call({}, 'typeError'),
    (err: unknown) => isRpcError(err, 'remote') && err.details['class'] === 'TypeError' && err.details['module'] === 'builtins',
  );
  await transport.close();
});

test('a VersionedError thrown by the server comes back as the cause of an RpcError remote, with its code, path and details', async () => {
  const { transport, client } = await setup([]);
  await assert.rejects(client.call({}, 'versioned'), (outer: unknown) => {
    assert.ok(isRpcError(outer, 'remote'));
    const err = outer.cause;
    assert.ok(isVersionedError(err, 'incompatible_version'));
    assert.deepEqual(err.path, ['Volume']);
    assert.equal(err.message, 'Volume: Volume 1.9 cannot be read here');
    assert.equal(err.details['name'], 'Volume');
    assert.equal(err.details['remote'], true);
    return true;
  });
  await transport.close();
});

test('an RpcError thrown by the server comes back with its code, marked remote', async () => {
  const { transport, client } = await setup([]);
  await assert.rejects(client.call({}, 'rpc'), (err: unknown) => {
    assert.ok(isRpcError(err, 'timeout'));
    assert.equal(err.details['remote'], true, 'a remote timeout is told apart from this call timing out');
    assert.equal(err.details['topic'], 'scheduler');
    return true;
  });
  await transport.close();
});

test('a thrown non-Error value becomes a remote Error naming the value', async () => {
  const { transport, client } = await setup([]);
  await assert.rejects(
    client.call({}, 'notAnError'),
    (err: unknown) => isRpcError(err, 'remote') && /a non-Error value was thrown: "a string"/.test(err.message),
  );
  await transport.close();
});

test('a failure naming an unknown RpcError code is still an RpcError of that code string, never a crash', () => {
  const err = fromFailure({
    class: 'RpcError',
    module: '@versioned/rpc',
    message: 'm',
    kwargs: { code: 'no_such_method', details: { method: 'x' } },
  });
  assert.ok(isRpcError(err, 'no_such_method'));
  assert.equal(err.details['method'], 'x');
});

test('an allow-listed constructor that throws on the remote arguments falls back to RpcError remote', () => {
  class Picky extends Error {
    constructor(n: number) {
      if (typeof n !== 'number') throw new TypeError('n must be a number');
      super(String(n));
    }
  }
  assert.ok(isRpcError(fromFailure({ class: 'Picky', module: '', message: 'm', args: ['m'] }, [Picky]), 'remote'));
});
