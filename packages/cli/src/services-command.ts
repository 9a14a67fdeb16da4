import type { ServiceState, ServiceStore, ServiceView } from '@versioned/upgrade';
import type { CommandContext, CommandSpec } from './command.js';
import { EXIT, UsageError } from './errors.js';
import {
  DATABASE_OPTION,
  UPGRADE_SETTING,
  UPGRADE_SETTINGS_TEXT,
  openStore,
  resolveUpgradeSettings,
  shownUrl,
  upgradeLib,
  type UpgradeSettings,
} from './upgrade-settings.js';

/** `4s`, `2m 5s`, `3h 20m`, `3d 4h`: the age of a heartbeat as a person reads it. */
export function formatAge(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    `${indent}${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] as number))).join('  ')}`.trimEnd(),
  );
}

export const rpcText = (rpc: Readonly<Record<string, string>>): string =>
  Object.entries(rpc)
    .map(([api, v]) => `${api} ${v}`)
    .join(', ');

/** A row in the `--json` answers (documented in docs/upgrade-commands.md): times as ISO strings. */
export function serviceJson(view: ServiceView): Record<string, unknown> {
  return {
    binary: view.binary,
    host: view.host,
    release: view.release,
    rpcVersions: view.rpcVersions,
    objects: view.objects,
    state: view.state,
    holdsPins: view.holdsPins,
    heartbeatAgeMs: view.heartbeatAgeMs,
    heartbeatAt: new Date(view.heartbeatAt).toISOString(),
    createdAt: new Date(view.createdAt).toISOString(),
    stoppedAt: view.stoppedAt === null ? null : new Date(view.stoppedAt).toISOString(),
    disabled: view.disabled,
    disabledReason: view.disabledReason,
  };
}

export const forgetCommand = (binary: string, host: string): string => `versioned services forget ${binary} ${host}`;

/** Run `work` with the store open, closed afterwards whatever happens. */
export async function withStore<T>(
  ctx: CommandContext,
  work: (store: ServiceStore, settings: UpgradeSettings, url: string) => Promise<T>,
): Promise<T> {
  const settings = await resolveUpgradeSettings(ctx);
  const store = await openStore(settings, ctx.display);
  try {
    return await work(store, settings, shownUrl(settings, ctx.display));
  } finally {
    await store.close().catch(() => undefined);
  }
}

const STATES: readonly ServiceState[] = ['live', 'late', 'dead', 'stopped', 'disabled'];

async function views(store: ServiceStore, settings: UpgradeSettings, binary?: string): Promise<ServiceView[]> {
  const { viewOf } = await upgradeLib();
  const now = Date.now();
  return (await store.rows(binary)).map((row) => viewOf(row, now, settings.rule));
}

async function list(ctx: CommandContext): Promise<number> {
  const binary = ctx.values.binary as string | undefined;
  return withStore(ctx, async (store, settings, url) => {
    const rows = await views(store, settings, binary);
    if (ctx.json) {
      ctx.printJson({ ok: true, database: url, services: rows.map(serviceJson) });
      return EXIT.ok;
    }
    const out: string[] = [];
    if (rows.length === 0) {
      out.push(`no services rows${binary ? ` for ${binary}` : ''} in ${url}`);
    } else {
      const heartbeat = (v: ServiceView): string =>
        `${formatAge(v.heartbeatAgeMs)} ago${v.disabled && v.disabledReason ? ` (disabled: ${v.disabledReason})` : ''}`;
      out.push(
        ...table([
          ['BINARY', 'HOST', 'RELEASE', 'RPC', 'OBJECTS', 'STATE', 'HEARTBEAT'],
          ...rows.map((v) => [v.binary, v.host, v.release, rpcText(v.rpcVersions), v.objects, v.state, heartbeat(v)]),
        ]),
      );
      const counts = STATES.map((state) => [state, rows.filter((v) => v.state === state).length] as const).filter(([, n]) => n > 0);
      out.push(
        '',
        `${rows.length} service${rows.length === 1 ? '' : 's'} in ${url}: ${counts.map(([state, n]) => `${n} ${state}`).join(', ')}`,
      );
      if (rows.some((v) => v.state === 'dead'))
        out.push(`a dead row no longer holds the pins; if its host is gone for good, clear it: ${forgetCommand('<binary>', '<host>')}`);
    }
    ctx.io.stdout.write(`${out.join('\n')}\n`);
    return EXIT.ok;
  });
}

/** The row of (binary, host), or a UsageError naming the hosts the binary has. */
async function rowOf(store: ServiceStore, settings: UpgradeSettings, binary: string, host: string, url: string): Promise<ServiceView> {
  const rows = await views(store, settings, binary);
  const row = rows.find((r) => r.host === host);
  if (row) return row;
  const known = rows.length ? `its hosts: ${rows.map((r) => r.host).join(', ')}` : `no row of ${binary} at all`;
  throw new UsageError('unknown_service', `no services row for ${binary} on ${host} in ${url} (${known})`);
}

function binaryAndHost(ctx: CommandContext, command: string): [string, string] {
  const [binary, host] = ctx.positionals;
  if (binary === undefined || host === undefined)
    throw new UsageError('usage', `\`versioned ${command}\` needs a binary and a host: versioned ${command} <binary> <host>`, { command });
  return [binary, host];
}

async function forget(ctx: CommandContext): Promise<number> {
  const [binary, host] = binaryAndHost(ctx, 'services forget');
  return withStore(ctx, async (store, settings, url) => {
    const row = await rowOf(store, settings, binary, host, url);
    const force = ctx.values.force === true;
    if (row.holdsPins && !force) {
      const message =
        `refusing to forget ${binary} on ${host}: it is ${row.state} (heartbeat ${formatAge(row.heartbeatAgeMs)} ago) and holds the pins; ` +
        `a running service writes its row again on its next heartbeat. Stop it first, or pass --force if the host is gone`;
      if (ctx.json) ctx.printJson({ ok: false, forgotten: false, refused: message, service: serviceJson(row) });
      else ctx.io.stdout.write(`${message}\n`);
      return EXIT.checkFailed;
    }
    await store.forget(binary, host);
    if (ctx.json) ctx.printJson({ ok: true, forgotten: true, service: serviceJson(row) });
    else
      ctx.io.stdout.write(
        `forgot ${binary} on ${host} (release ${row.release}, ${row.state}, heartbeat ${formatAge(row.heartbeatAgeMs)} ago)\n`,
      );
    return EXIT.ok;
  });
}

function toggle(disabled: boolean): (ctx: CommandContext) => Promise<number> {
  const command = disabled ? 'services disable' : 'services enable';
  return async (ctx) => {
    const [binary, host] = binaryAndHost(ctx, command);
    const reason = disabled ? ((ctx.values.reason as string | undefined) ?? null) : null;
    return withStore(ctx, async (store, settings, url) => {
      const before = await rowOf(store, settings, binary, host, url);
      await store.setDisabled(binary, host, disabled, reason);
      const after = await rowOf(store, settings, binary, host, url);
      if (ctx.json) ctx.printJson({ ok: true, changed: before.disabled !== disabled, service: serviceJson(after) });
      else if (before.disabled === disabled)
        ctx.io.stdout.write(`${binary} on ${host} was already ${disabled ? 'disabled' : 'enabled'}: ${after.state}\n`);
      else
        ctx.io.stdout.write(
          `${disabled ? 'disabled' : 'enabled'} ${binary} on ${host}: now ${after.state}${disabled ? ', no longer holding the pins' : ''}\n`,
        );
      return EXIT.ok;
    });
  };
}

const DESCRIPTION = `States: live (heartbeat younger than the down time), late (older, but within the late grace: it still holds the
pins), dead (older still: a crashed or partitioned service; it no longer holds the pins), stopped (a graceful
stop), disabled (taken out by an operator). Only live and late rows hold the pins.

${UPGRADE_SETTINGS_TEXT}`;

const SETTINGS = [UPGRADE_SETTING] as const;

export const SERVICES_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'services list',
    summary: 'List the services table: binary, host, release, served versions, state and heartbeat age of every row',
    description: DESCRIPTION,
    options: { database: DATABASE_OPTION, binary: { type: 'string', value: '<binary>', help: 'Only the rows of this binary' } },
    settings: SETTINGS,
    run: list,
  },
  {
    name: 'services forget',
    summary: "Delete a decommissioned host's row (refused for a live or late one unless --force)",
    description: DESCRIPTION,
    args: '<binary> <host>',
    maxPositionals: 2,
    options: {
      database: DATABASE_OPTION,
      force: { type: 'boolean', help: 'Forget the row although it is live or late (its host is gone, its heartbeat not yet expired)' },
    },
    settings: SETTINGS,
    run: forget,
  },
  {
    name: 'services disable',
    summary: 'Take a row out of the pins (it stays listed as disabled until `services enable`)',
    description: DESCRIPTION,
    args: '<binary> <host>',
    maxPositionals: 2,
    options: { database: DATABASE_OPTION, reason: { type: 'string', value: '<text>', help: 'Why, shown by `services list`' } },
    settings: SETTINGS,
    run: toggle(true),
  },
  {
    name: 'services enable',
    summary: 'Count a disabled row again',
    description: DESCRIPTION,
    args: '<binary> <host>',
    maxPositionals: 2,
    options: { database: DATABASE_OPTION },
    settings: SETTINGS,
    run: toggle(false),
  },
];
