import { FieldType, type JsonSchema, type TypeDescription } from './type.js';
import { PatternType } from './scalars.js';

/** Which addresses an IP field type accepts: IPv4 (`4`), IPv6 (`6`) or both (`'any'`). */
export type IPFamily = 4 | 6 | 'any';

// The address grammars node:net's isIPv4/isIPv6 accept (dotted quads without leading zeros; IPv6 with at most
// one `::` and an optional dotted tail), written here so that the default entry imports no `node:` module.
// test/fields-network.test.ts checks them against node:net on random input.
const V4_PART = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const V4 = `(?:${V4_PART}\\.){3}${V4_PART}`;
const H = '[0-9a-fA-F]{1,4}';
/** `n` groups then one of: the tail after them when the address has `::` there or none. */
const v6After = (n: number): string =>
  n === 7
    ? `(?:${H}:){7}(?:${H}|:)`
    : n === 6
      ? `(?:${H}:){6}(?:${V4}|:${H}|:)`
      : `(?:${H}:){${n}}(?:(?::${H}){0,${5 - n}}:${V4}|(?::${H}){1,${7 - n}}|:)`;
const IPV4 = new RegExp(`^${V4}$`);
const IPV6 = new RegExp(`^(?:${[7, 6, 5, 4, 3, 2, 1].map(v6After).join('|')}|:(?:(?::${H}){0,5}:${V4}|(?::${H}){1,7}|:))$`);
const isIPv4 = (text: string): boolean => IPV4.test(text);
const isIPv6 = (text: string): boolean => IPV6.test(text);

/** IPv6 in the canonical compressed lower-case form that Python's netaddr prints. */
function canonicalIPv6(text: string): string {
  const hex = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  // netaddr (inet_ntop) writes IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses with a dotted tail.
  const m = /^::(ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(hex);
  if (!m) return hex;
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `::${m[1] ?? ''}${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function normaliseAddress(text: string, family: IPFamily): string | undefined {
  if (family !== 6 && isIPv4(text)) return text;
  if (family !== 4 && isIPv6(text) && !text.includes('%')) return canonicalIPv6(text);
  return undefined;
}

const ADDRESS_KINDS = { 4: 'IPV4Address', 6: 'IPV6Address', any: 'IPAddress' } as const;
const NETWORK_KINDS = { 4: 'IPV4Network', 6: 'IPV6Network', any: 'IPNetwork' } as const;
const NETWORK_FORMATS = { 4: 'ipv4-network', 6: 'ipv6-network', any: 'ip-network' } as const;
const FAMILY_WORDS = { 4: 'an IPv4', 6: 'an IPv6', any: 'an IP' } as const;

/** oslo's IPAddress, IPV4Address, IPV6Address: an address of the family, IPv6 in netaddr's canonical form. */
export class IPAddressType extends FieldType<string> {
  readonly kind: string;
  readonly expected: string;
  constructor(
    readonly family: IPFamily = 'any',
    kind?: string,
  ) {
    super();
    this.kind = kind ?? ADDRESS_KINDS[family];
    this.expected = `${FAMILY_WORDS[family]} address`;
  }
  jsonSchema(): JsonSchema {
    if (this.family === 4) return { type: 'string', format: 'ipv4' };
    if (this.family === 6) return { type: 'string', format: 'ipv6' };
    return { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };
  }
  coerce(value: unknown): string {
    const out = typeof value === 'string' ? normaliseAddress(value, this.family) : undefined;
    if (out === undefined) throw this.invalid(value);
    return out;
  }
  override describe(): TypeDescription {
    return { type: this.kind, family: this.family };
  }
}

/** oslo's IPNetwork, IPV4Network, IPV6Network: `address/prefix`, a bare address getting the full prefix. */
export class IPNetworkType extends FieldType<string> {
  readonly kind: string;
  readonly expected: string;
  constructor(readonly family: IPFamily = 'any') {
    super();
    this.kind = NETWORK_KINDS[family];
    this.expected = `${FAMILY_WORDS[family]} network (address/prefix)`;
  }
  jsonSchema(): JsonSchema {
    // The pattern is the portable outline; the format is this type's own check (SchemaValidator knows it).
    const pattern = this.family === 4 ? '^[0-9.]+(/[0-9]{1,3})?$' : '^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$';
    return { type: 'string', pattern, format: NETWORK_FORMATS[this.family] };
  }
  coerce(value: unknown): string {
    if (typeof value === 'string') {
      const slash = value.indexOf('/');
      const address = normaliseAddress(slash < 0 ? value : value.slice(0, slash), this.family);
      if (address !== undefined) {
        const max = address.includes(':') ? 128 : 32;
        if (slash < 0) return `${address}/${max}`;
        const prefix = value.slice(slash + 1);
        if (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max) return `${address}/${Number(prefix)}`;
      }
    }
    throw this.invalid(value);
  }
  override describe(): TypeDescription {
    return { type: this.kind, family: this.family };
  }
}

/** oslo's MACAddress: six hex pairs, held in lower case with colons. */
export class MACAddressType extends PatternType {
  readonly kind = 'MACAddress';
  readonly expected = 'a MAC address';
  protected readonly pattern = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
  protected readonly schema = { type: 'string', pattern: '^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$' };
  /** Lower case, with `-` separators turned into `:`. */
  protected override normalise(text: string): string {
    return text.toLowerCase().replaceAll('-', ':');
  }
}

/** oslo's PCIAddress: `dddd:bb:ss.f`, held in lower case. */
export class PCIAddressType extends PatternType {
  readonly kind = 'PCIAddress';
  readonly expected = 'a PCI address (dddd:bb:ss.f)';
  protected readonly pattern = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$/;
  protected readonly schema = { type: 'string', pattern: '^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-1][0-9a-fA-F]\\.[0-7]$' };
}
