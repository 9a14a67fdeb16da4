import type { Releases, ServiceView, Upgrade, UpgradeStatus } from '@versioned/upgrade';
import type { CommandContext, CommandSpec } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { forgetCommand, formatAge, rpcText, serviceJson, table, withStore } from './services-command.js';
import {
  DATABASE_OPTION,
  RELEASES_OPTION,
  UPGRADE_SETTING,
  UPGRADE_SETTINGS_TEXT,
  loadReleases,
  openUpgrade,
  operator,
  upgradeLib,
  type UpgradeSettings,
} from './upgrade-settings.js';

/** A row of an older release, and what it does to the pins. */
interface OlderRow {
  readonly view: ServiceView;
  /** What it means and what to do, in words. */
  readonly advice: string;
  /** The command that clears it, for a row that no longer holds the pins (or one that is late). */
  readonly clear: string | null;
}

/** What `upgrade status` says about one binary. */
interface BinaryReport {
  readonly status: UpgradeStatus;
  readonly releases: Releases;
  /** The pins are those of the newest release: nothing holds them down. */
  readonly atNewest: boolean;
  readonly older: readonly OlderRow[];
  /** Rows of a release the releases module does not know (newer than it). */
  readonly unknown: readonly ServiceView[];
  readonly next: readonly string[];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const hostList = (views: readonly ServiceView[]): string => views.map((v) => v.host).join(', ');

function report(status: UpgradeStatus, releases: Releases, settings: UpgradeSettings): BinaryReport {
  const { binary, pins } = status;
  const newest = releases.newest;
  const atNewest = pins.objects === newest.objects && Object.entries(newest.rpc).every(([api, v]) => pins.rpc[api] === v);
  const rank = (v: ServiceView): number => releases.rankOf(v);
  const older: OlderRow[] = status.services
    .filter((v) => rank(v) < newest.index)
    // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every state (tsc checks it)
    .map((view) => {
      const forget = forgetCommand(binary, view.host);
      switch (view.state) {
        case 'live':
          return { view, advice: `holds the pins: upgrade it to ${newest.name}, or stop it`, clear: null };
        case 'late': {
          const left = settings.rule.downTimeMs + settings.rule.lateGraceMs - view.heartbeatAgeMs;
          return {
            view,
            advice: `holds the pins until it is dead in ${formatAge(left)} unless it beats again; if the host is gone: ${forget} --force`,
            clear: `${forget} --force`,
          };
        }
        case 'dead':
          return { view, advice: `does not hold the pins (dead); if the host is gone for good, clear it: ${forget}`, clear: forget };
        case 'stopped':
          return {
            view,
            advice: `does not hold the pins (stopped); clear it: ${forget}, or record it as ${newest.name}: versioned upgrade finish ${binary}`,
            clear: forget,
          };
        case 'disabled':
          return { view, advice: `does not hold the pins (disabled); clear it: ${forget}`, clear: forget };
      }
    });
  const unknown = status.services.filter((v) => rank(v) >= releases.list.length);
  const next: string[] = [];
  const configured = settings.found ? `${settings.found.source}` : 'the configuration';
  if (pins.source === 'config' && !atNewest) {
    next.push(
      `remove "${UPGRADE_SETTING}.upgradeLevels.${binary}" (${status.level}) from ${configured} and reload the services (SIGHUP), so that the services table decides`,
    );
  } else if (pins.source === 'config') {
    next.push(
      `"${UPGRADE_SETTING}.upgradeLevels.${binary}" pins ${binary} to ${status.level} in ${configured}: remove it before the next upgrade, or it holds that one down`,
    );
  }
  const liveOlder = status.olderLive.filter((v) => v.state === 'live');
  const lateOlder = status.olderLive.filter((v) => v.state === 'late');
  if (liveOlder.length)
    next.push(`upgrade or stop ${hostList(liveOlder)} (release ${[...new Set(liveOlder.map((v) => v.release))].join(', ')})`);
  if (lateOlder.length)
    next.push(
      `${hostList(lateOlder)} ${lateOlder.length === 1 ? 'is' : 'are'} late: wait for ${lateOlder.length === 1 ? 'it' : 'them'} to beat or turn dead, or forget ${lateOlder.length === 1 ? 'it' : 'them'} with --force if the host is gone`,
    );
  if (pins.source === 'finalize-hold' && status.canFinalize) {
    next.push(
      `every live ${binary} service runs ${newest.name}: watch it, then \`versioned upgrade finalize ${binary}\` to lift the pins (until then, a rollback to ${pins.release} is safe)`,
    );
  }
  if (pins.source === 'no-live-service' && !atNewest) next.push(`no live ${binary} service: the pins follow the services once they start`);
  if (unknown.length)
    next.push(
      `${hostList(unknown)} run${unknown.length === 1 ? 's' : ''} a release the releases module does not know (${[...new Set(unknown.map((v) => v.release))].join(', ')}): point --releases at the newest code`,
    );
  return { status, releases, atNewest, older, unknown, next };
}

function reportJson(r: BinaryReport): Record<string, unknown> {
  const { status, releases } = r;
  const { pins } = status;
  return {
    binary: status.binary,
    atNewest: r.atNewest,
    newest: { release: releases.newest.name, rpc: releases.newest.rpc, objects: releases.newest.objects },
    pins: {
      release: pins.release,
      rpc: pins.rpc,
      objects: pins.objects,
      source: pins.source,
      reason: pins.reason,
      heldBy: pins.heldBy.map((h) => ({ host: h.host ?? null, release: h.release, state: h.state })),
    },
    liftPolicy: status.liftPolicy,
    level: status.level,
    finalized: status.finalized ? { release: status.finalized.release, at: iso(status.finalized.at), by: status.finalized.by } : null,
    canFinalize: status.canFinalize,
    olderRows: r.older.map((o) => ({ ...serviceJson(o.view), clear: o.clear })),
    unknownReleaseRows: r.unknown.map(serviceJson),
    next: r.next,
  };
}

function sourceText(r: BinaryReport, settings: UpgradeSettings): string {
  const { pins } = r.status;
  switch (pins.source) {
    case 'config':
      return `configuration (${settings.found?.source ?? 'configuration'}): ${pins.reason.replace(/ in configuration$/, '')}, which wins over the services table`;
    case 'services':
      return `the services table: ${pins.reason}`;
    default:
      return pins.reason;
  }
}

function reportText(r: BinaryReport, settings: UpgradeSettings): string[] {
  const { status, releases } = r;
  const { pins } = status;
  const newest = releases.newest;
  const finalized = status.finalized ? `${status.finalized.release} by ${status.finalized.by} at ${iso(status.finalized.at)}` : 'no';
  const lines = [
    `${status.binary}: ${r.atNewest ? `at its newest release ${newest.name}, unpinned` : `held below its newest release ${newest.name}`}`,
    ...table(
      [
        ['pins', `release ${pins.release}: rpc ${rpcText(pins.rpc)}, objects ${pins.objects}`],
        ['from', sourceText(r, settings)],
        ['newest', `${newest.name}: rpc ${rpcText(newest.rpc)}, objects ${newest.objects}`],
        ['lift', `${status.liftPolicy}${status.level === 'auto' ? '' : ` (configured level ${status.level})`}`],
        ['finalized', finalized],
      ],
      '  ',
    ),
  ];
  if (r.older.length) {
    lines.push('  rows of older releases:');
    lines.push(
      ...table(
        [
          ['HOST', 'RELEASE', 'STATE', 'HEARTBEAT', ''],
          ...r.older.map((o) => [o.view.host, o.view.release, o.view.state, `${formatAge(o.view.heartbeatAgeMs)} ago`, o.advice]),
        ],
        '    ',
      ),
    );
  }
  for (const step of r.next) lines.push(`  next: ${step}`);
  return lines;
}

/** The binaries a command is about: the one named, or every binary of the releases module. */
function selected(binaries: readonly Releases[], name: string | undefined): Releases[] {
  if (name === undefined) return [...binaries];
  const found = binaries.find((b) => b.binary === name);
  if (!found)
    throw new UsageError('usage', `unknown binary "${name}": the releases module declares ${binaries.map((b) => b.binary).join(', ')}`);
  return [found];
}

/** Load the releases, open the store and an Upgrade over it; run `work`; close everything. */
async function withUpgrade<T>(
  ctx: CommandContext,
  work: (upgrade: Upgrade, binaries: Releases[], settings: UpgradeSettings, url: string) => Promise<T>,
): Promise<T> {
  return withStore(ctx, async (store, settings, url) => {
    const binaries = await loadReleases(settings, ctx.display);
    const upgrade = await openUpgrade(settings, store, binaries, ctx.display);
    try {
      return await work(upgrade, binaries, settings, url);
    } finally {
      await upgrade.close().catch(() => undefined);
    }
  });
}

async function status(ctx: CommandContext): Promise<number> {
  return withUpgrade(ctx, async (upgrade, binaries, settings, url) => {
    const reports: BinaryReport[] = [];
    for (const releases of selected(binaries, ctx.positionals[0]))
      reports.push(report(await upgrade.status(releases.binary), releases, settings));
    const declared = new Set(binaries.map((b) => b.binary));
    const undeclared = new Map<string, number>();
    if (ctx.positionals[0] === undefined)
      for (const row of await upgrade.store.rows())
        if (!declared.has(row.binary)) undeclared.set(row.binary, (undeclared.get(row.binary) ?? 0) + 1);
    const held = reports.filter((r) => !r.atNewest);
    if (ctx.json) {
      ctx.printJson({
        ok: held.length === 0,
        database: url,
        binaries: reports.map(reportJson),
        undeclaredBinaries: [...undeclared].map(([binary, rows]) => ({ binary, rows })),
      });
    } else {
      const lines = [`versioned upgrade status: ${url}`, ''];
      for (const r of reports) lines.push(...reportText(r, settings), '');
      if (undeclared.size)
        lines.push(
          `not checked (the releases module does not declare them): ${[...undeclared].map(([b, n]) => `${b} (${n} row${n === 1 ? '' : 's'})`).join(', ')}`,
          '',
        );
      lines.push(
        held.length === 0
          ? `OK: ${reports.length === 1 ? `${reports[0]?.status.binary} runs its` : 'every binary runs its'} newest release, unpinned`
          : `HELD: ${held.map((r) => r.status.binary).join(', ')} ${held.length === 1 ? 'is' : 'are'} pinned below ${held.length === 1 ? 'its' : 'their'} newest release (exit 1)`,
      );
      ctx.io.stdout.write(`${lines.join('\n')}\n`);
    }
    return held.length === 0 ? EXIT.ok : EXIT.checkFailed;
  });
}

async function finish(ctx: CommandContext): Promise<number> {
  return withUpgrade(ctx, async (upgrade, binaries) => {
    const chosen = selected(binaries, ctx.positionals[0]);
    const statuses = await Promise.all(chosen.map((r) => upgrade.status(r.binary)));
    const refused = statuses.filter((s) => s.olderLive.length > 0);
    if (refused.length) {
      const what = refused.map((s) => `${s.binary}: ${s.olderLive.map((v) => `${v.host} (release ${v.release}, ${v.state})`).join(', ')}`);
      const message = `refusing to finish: older services still run (${what.join('; ')}). An offline upgrade stops every service first; for a rolling one, upgrade or stop them, then let the pins lift`;
      if (ctx.json)
        ctx.printJson({
          ok: false,
          finished: [],
          refused: refused.map((s) => ({
            binary: s.binary,
            services: s.olderLive.map((v) => ({ host: v.host, release: v.release, state: v.state })),
          })),
          message,
        });
      else ctx.io.stdout.write(`${message}\n`);
      return EXIT.checkFailed;
    }
    const finished: { binary: string; release: string; rows: number }[] = [];
    for (const releases of chosen)
      finished.push({ binary: releases.binary, release: releases.newest.name, rows: await upgrade.finish(releases.binary) });
    if (ctx.json) ctx.printJson({ ok: true, finished, refused: [] });
    else {
      for (const f of finished)
        ctx.io.stdout.write(`${f.binary}: ${f.rows} row${f.rows === 1 ? '' : 's'} recorded as release ${f.release}\n`);
      const policy = statuses.filter((s) => s.liftPolicy === 'finalize').map((s) => s.binary);
      if (policy.length)
        ctx.io.stdout.write(
          `lift policy finalize: the pins of ${policy.join(', ')} stay down until \`versioned upgrade finalize <binary>\`\n`,
        );
    }
    return EXIT.ok;
  });
}

async function finalize(ctx: CommandContext): Promise<number> {
  const binary = ctx.positionals[0];
  if (binary === undefined)
    throw new UsageError('usage', '`versioned upgrade finalize` needs a binary: versioned upgrade finalize <binary>', {
      command: 'upgrade finalize',
    });
  return withUpgrade(ctx, async (upgrade, binaries) => {
    const releases = selected(binaries, binary)[0] as Releases;
    const name = ctx.values.release as string | undefined;
    const release = name === undefined ? releases.newest : releases.find(name);
    if (!release)
      throw new UsageError('usage', `unknown release "${name}" of ${binary}: known ${releases.names().join(', ')}`, {
        command: 'upgrade finalize',
      });
    const { finalized } = await upgrade.status(binary);
    const at = finalized ? releases.find(finalized.release) : undefined;
    const refuse = (message: string, services: readonly unknown[] = []): number => {
      if (ctx.json) ctx.printJson({ ok: false, finalized: null, refused: message, services });
      else ctx.io.stdout.write(`${message}\n`);
      return EXIT.checkFailed;
    };
    if (finalized && at && at.index > release.index) {
      return refuse(
        `refusing to finalize ${binary} at ${release.name}: it is finalized at ${finalized.release} already (by ${finalized.by} at ${iso(finalized.at)}), and a finalization never goes back`,
      );
    }
    if (finalized && at && at.index === release.index) {
      const state = { release: finalized.release, at: iso(finalized.at), by: finalized.by };
      if (ctx.json) ctx.printJson({ ok: true, changed: false, finalized: { binary, ...state } });
      else ctx.io.stdout.write(`${binary} is finalized at ${state.release} already (by ${state.by} at ${state.at}): nothing to do\n`);
      return EXIT.ok;
    }
    let state;
    try {
      state = await upgrade.finalize(binary, { release: release.name, by: operator() });
    } catch (err) {
      const { isUpgradeError } = await upgradeLib();
      if (isUpgradeError(err, 'older_service_live')) return refuse(err.message, (err.details.services as unknown[]) ?? []);
      throw err;
    }
    const shown = { release: state.release, at: iso(state.at), by: state.by };
    if (ctx.json) {
      ctx.printJson({ ok: true, changed: true, finalized: { binary, ...shown } });
    } else {
      ctx.io.stdout.write(
        `finalized ${binary} at ${shown.release} (by ${shown.by} at ${shown.at}).\n` +
          `The pins of lift policy finalize lift to ${shown.release} in every process; a ${binary} service older than ${shown.release} now refuses to start: rolling back past this point is not safe.\n`,
      );
    }
    return EXIT.ok;
  });
}

const EXIT_NOTE =
  'Exit codes: 0 done (status: every binary at its newest release, unpinned), 1 refused (status: a pin is held down), 2 usage, configuration or database error.';
const DESCRIPTION = `${EXIT_NOTE}

${UPGRADE_SETTINGS_TEXT}`;
const OPTIONS = { database: DATABASE_OPTION, releases: RELEASES_OPTION };
const SETTINGS = [UPGRADE_SETTING] as const;

export const UPGRADE_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'upgrade status',
    summary: 'For each binary: the pins in force and where they come from, the newest release, and every row that holds them below it',
    description: `Exit 0 when every binary runs its newest release unpinned, 1 while something holds a pin down: a script can wait on it
(\`until versioned upgrade status; do sleep 10; done\`).

${DESCRIPTION}`,
    args: '[<binary>]',
    maxPositionals: 1,
    options: OPTIONS,
    settings: SETTINGS,
    run: status,
  },
  {
    name: 'upgrade finish',
    summary: 'Offline upgrades: record every row as the newest release (refused while an older service is live)',
    description: `Cinder's \`db sync --bump-versions\`: after an offline upgrade (every service stopped, then started on the new
release), the rows that were left behind stop naming the old release. Every binary, or the one named.

${DESCRIPTION}`,
    args: '[<binary>]',
    maxPositionals: 1,
    options: OPTIONS,
    settings: SETTINGS,
    run: finish,
  },
  {
    name: 'upgrade finalize',
    summary: 'Say the new release stays: lift the pins of lift policy finalize, refuse older services from now on',
    description: `Records the release (default: the newest), the operating system user and host, and the time; \`upgrade status\`
shows them. Refused while a live service of an older release exists (the hosts are named). Before finalizing, a
rollback to the previous release is safe; after, an older service refuses to start.

${DESCRIPTION}`,
    args: '<binary>',
    maxPositionals: 1,
    options: {
      ...OPTIONS,
      release: { type: 'string', value: '<name>', help: 'The release to finalize at (default: the newest the releases module declares)' },
    },
    settings: SETTINGS,
    run: finalize,
  },
];
