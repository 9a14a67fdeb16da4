import { RpcError } from '../errors.js';

const TRUE = new Set(['1', 'true', 'yes', 'on']);

/**
 * The AMQP URLs to connect to, tried in turn on every (re)connection. Accepts amqp:// and amqps:// URLs as
 * amqplib does, and oslo.messaging's transport URLs: `rabbit://user:pass@host1:5672,user:pass@host2:5672/vhost`
 * (several hosts, one vhost; `?ssl=1` means amqps). Credentials must be percent-encoded in either form.
 */
export function brokerUrls(url: string, heartbeatS: number): string[] {
  if (typeof url !== 'string' || url === '')
    throw new RpcError('invalid_target', `the RabbitMQ url must be a non-empty string, got ${JSON.stringify(url)}`);
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(url);
  if (!match) throw new RpcError('invalid_target', `the RabbitMQ url is not a URL: ${redacted(url)}`);
  const [, rawScheme, hosts = '', path = '', query = ''] = match;
  const scheme = (rawScheme as string).toLowerCase();
  if (scheme !== 'amqp' && scheme !== 'amqps' && scheme !== 'rabbit') {
    throw new RpcError('invalid_target', `the RabbitMQ url must start with amqp://, amqps:// or rabbit://, got ${scheme}://`);
  }
  const params = new URLSearchParams(query);
  let protocol = scheme;
  if (scheme === 'rabbit') {
    protocol = TRUE.has((params.get('ssl') ?? '').toLowerCase()) ? 'amqps' : 'amqp';
    params.delete('ssl');
  }
  if (!params.has('heartbeat')) params.set('heartbeat', String(heartbeatS));
  const search = `?${params.toString()}`;
  const entries = scheme === 'rabbit' ? hosts.split(',') : [hosts];
  return entries.map((entry) => {
    if (entry === '') throw new RpcError('invalid_target', `the RabbitMQ url names an empty host: ${redacted(url)}`);
    const out = `${protocol}://${entry}${path}${search}`;
    try {
      new URL(out);
    } catch {
      throw new RpcError('invalid_target', `the RabbitMQ url is not valid: ${redacted(url)}`);
    }
    return out;
  });
}

function redacted(url: string): string {
  return JSON.stringify(url.replace(/:[^:@/]*@/g, ':***@'));
}
