import { encodeEnvelope } from '../src/rabbit/wire.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same messages. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

const deep = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { v };
  return v;
};

const ANY: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -0,
  '',
  'x',
  '1.0',
  [],
  [1, 'a'],
  {},
  { a: 1 },
  deep(40),
  'é☃\u0000',
  'a'.repeat(20_000),
];
const METHODS: readonly unknown[] = [
  'echo',
  'work',
  '',
  'nope',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  '_private',
  'target',
  'echo ',
  'm'.repeat(50_000),
  ...ANY,
];
const VERSIONS: readonly unknown[] = [
  '1.0',
  '1.2',
  '1.3',
  '2.0',
  '0.9',
  '1',
  '1.0.0',
  '1.0.0.0',
  'abc',
  '1.x',
  '01.0',
  ' 1.0',
  '1.0\n',
  1,
  1.0,
  2.5,
  ...ANY,
];
const NAMESPACES: readonly unknown[] = [null, 'admin', '', 'default', ...ANY];
const TIMEOUTS: readonly unknown[] = [null, 0, 1, 2, 3, 1e12, 1e300, -5, 'x', [], {}, 2 ** 31, 0.5];

export interface HostileMessage {
  readonly body: Buffer;
  /** The msg id a reply must carry, when the message names a reply queue (so a reply is owed). */
  readonly msgId: string | undefined;
  readonly description: string;
}

/**
 * A malformed or odd request as a buggy or hostile peer would send it. Most name our reply queue with a
 * fresh `_msg_id` (a reply is owed); some break the envelope or the reply routing instead.
 */
export function hostileMessage(rand: () => number, index: number, replyQueue: string): HostileMessage {
  const msgId = `${index.toString(16).padStart(8, '0')}${'0'.repeat(24)}`;
  const inner: Record<string, unknown> = {
    method: 'echo',
    args: { value: index },
    namespace: null,
    version: '1.0',
    _msg_id: msgId,
    _reply_q: replyQueue,
    _unique_id: `u${msgId}`,
    _timeout: null,
  };
  const changes: string[] = [];
  const mutations = 1 + Math.floor(rand() * 3);
  for (let m = 0; m < mutations; m++) {
    const kind = Math.floor(rand() * 12);
    switch (kind) {
      case 0:
        inner['method'] = pick(rand, METHODS);
        changes.push('method');
        break;
      case 1:
        if (rand() < 0.5) delete inner['method'];
        else inner['method'] = pick(rand, ANY);
        changes.push('method2');
        break;
      case 2:
        inner['version'] = pick(rand, VERSIONS);
        if (rand() < 0.2) delete inner['version'];
        changes.push('version');
        break;
      case 3:
        inner['args'] = rand() < 0.5 ? pick(rand, ANY) : { value: pick(rand, ANY), ['__proto__']: { polluted: true }, constructor: 1 };
        if (rand() < 0.2) delete inner['args'];
        changes.push('args');
        break;
      case 4:
        inner['namespace'] = pick(rand, NAMESPACES);
        if (rand() < 0.2) delete inner['namespace'];
        changes.push('namespace');
        break;
      case 5:
        inner['_timeout'] = pick(rand, TIMEOUTS);
        changes.push('timeout');
        break;
      case 6:
        inner[`_context_${pick(rand, ['user_id', 'obj_manifest', '__proto__', '', 'x'])}`] = pick(rand, ANY);
        changes.push('context');
        break;
      case 7:
        inner['_unique_id'] = rand() < 0.5 ? index : undefined;
        changes.push('unique_id');
        break;
      case 8:
        inner[pick(rand, ['extra', '_extra', 'oslo.version', 'failure', 'result', 'ending'])] = pick(rand, ANY);
        changes.push('extra');
        break;
      case 9:
        // Reply routing itself broken: no reply can be owed.
        inner[pick(rand, ['_msg_id', '_reply_q'])] = pick(rand, [undefined, '', 1, null, [], {}]);
        changes.push('routing');
        break;
      default:
        inner['args'] = { value: pick(rand, ANY), other: pick(rand, ANY) };
        changes.push('values');
    }
  }
  const owed =
    typeof inner['_msg_id'] === 'string' && inner['_msg_id'] !== '' && typeof inner['_reply_q'] === 'string' && inner['_reply_q'] !== '';
  const framing = rand();
  let body: Buffer;
  if (framing < 0.04) {
    body = Buffer.from(
      pick(rand, [
        '',
        'not json',
        '[1,2]',
        '"s"',
        'null',
        '{"oslo.version":"2.0","oslo.message":5}',
        '{"oslo.version":"3.0","oslo.message":"{}"}',
        '{"oslo.version":"2.0","oslo.message":"not json"}',
        '\u0000\u0001\u00ff',
        '{'.repeat(10_000),
      ]),
    );
    return { body, msgId: undefined, description: 'broken framing' };
  }
  if (framing < 0.15) {
    // oslo reads a body without the envelope as the message itself.
    body = Buffer.from(JSON.stringify(inner));
  } else {
    body = encodeEnvelope(inner);
  }
  return { body, msgId: owed ? msgId : undefined, description: `${changes.join('+')} ${body.toString('utf8').slice(0, 300)}` };
}
