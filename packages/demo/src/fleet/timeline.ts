import { writeFileSync } from 'node:fs';
import type { Recording, Sample } from './recorder.js';

const WIDTH = 1100;
const LEFT = 150;
const RIGHT = 60;
const LANE = 20;
const GAP = 6;
const CHART = 150;
const COLORS: Record<string, string> = { N: '#8da0cb', 'N+1': '#66c2a5', down: '#f4cccc' };

const ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

/** Text as XML carries it: markup characters escaped, characters XML cannot hold (controls, lone surrogates) as U+FFFD. */
function escapeXml(text: string): string {
  return text
    .replace(
      /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\ud800-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '\ufffd',
    )
    .replace(/[<>&"']/g, (c) => ENTITIES[c] as string);
}

function color(state: string): string {
  return COLORS[state] ?? '#cccccc';
}

/** Runs of equal values in a lane: [from t, to t, value]. */
function segments(samples: readonly Sample[], read: (s: Sample) => string | undefined): [number, number, string][] {
  const out: [number, number, string][] = [];
  for (const [i, s] of samples.entries()) {
    const value = read(s);
    const end = samples[i + 1]?.t ?? s.t;
    if (value === undefined) continue;
    const last = out.at(-1);
    if (last && last[2] === value && last[1] === s.t) last[1] = end;
    else out.push([s.t, end, value]);
  }
  return out;
}

/**
 * The run as one self-contained SVG (no script, no external asset): each host's release over time (the API
 * service's too), the pins per binary, operations per second, failures, and the steps.
 */
export function renderTimeline(recording: Recording): string {
  const { samples, events } = recording;
  const tMax = Math.max(1, samples.at(-1)?.t ?? 1);
  const plot = WIDTH - LEFT - RIGHT;
  const x = (t: number) => (LEFT + (t / tMax) * plot).toFixed(1);
  const hosts = [...new Set(samples.flatMap((s) => Object.keys(s.hosts)))];
  const binaries = [...new Set(samples.flatMap((s) => Object.keys(s.pins)))];
  const lanes: [string, (s: Sample) => string | undefined][] = [
    ...hosts.map((h): [string, (s: Sample) => string | undefined] => [h, (s) => s.hosts[h]]),
    ...binaries.map((b): [string, (s: Sample) => string | undefined] => [`pins: ${b}`, (s) => s.pins[b]]),
  ];
  const steps = events.filter((e) => e.kind === 'step' || e.kind === 'fault');
  const top = 50;
  const chartTop = top + lanes.length * (LANE + GAP) + 20;
  const chartBottom = chartTop + CHART;
  const out: string[] = [];
  const height = chartBottom + 50 + steps.length * 16 + 30;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeXml(recording.title)}</title>`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${LEFT}" y="24" font-size="16" font-weight="bold">${escapeXml(recording.title)}</text>`);
  // Lanes: each host's release, then the pins of each binary.
  for (const [i, [label, read]] of lanes.entries()) {
    const y = top + i * (LANE + GAP);
    out.push(`<text x="${LEFT - 8}" y="${y + 14}" text-anchor="end">${escapeXml(label)}</text>`);
    for (const [from, to, value] of segments(samples, read)) {
      const w = Math.max(0.5, Number(x(to)) - Number(x(from)));
      out.push(
        `<rect x="${x(from)}" y="${y}" width="${w.toFixed(1)}" height="${LANE}" fill="${color(value)}"><title>${escapeXml(`${label}: ${value}`)}</title></rect>`,
      );
      if (w > 34) out.push(`<text x="${(Number(x(from)) + 4).toFixed(1)}" y="${y + 14}" fill="#222">${escapeXml(value)}</text>`);
    }
  }
  // Operations per second (between samples) and failures so far.
  // Operations started per second over the last second (a window, so that samples close together do not spike).
  const rates = samples.slice(1).map((s) => {
    const from = samples.find((p) => p.t >= s.t - 1000) as Sample;
    return { t: s.t, rate: s.t === from.t ? 0 : ((s.stats.made - from.stats.made) * 1000) / (s.t - from.t), failed: s.stats.failed };
  });
  const rMax = Math.max(10, ...rates.map((r) => r.rate)) * 1.1;
  const failed = Math.max(0, ...rates.map((r) => r.failed));
  const fMax = Math.max(1, failed);
  const yRate = (r: number) => (chartBottom - (r / rMax) * CHART).toFixed(1);
  const yFail = (f: number) => (chartBottom - (f / fMax) * CHART).toFixed(1);
  out.push(`<rect x="${LEFT}" y="${chartTop}" width="${plot}" height="${CHART}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${LEFT - 8}" y="${chartTop + 12}" text-anchor="end">ops/s ${Math.round(rMax)}</text>`);
  out.push(`<text x="${LEFT - 8}" y="${chartBottom}" text-anchor="end">0</text>`);
  out.push(`<text x="${LEFT + plot + 4}" y="${chartTop + 12}" fill="#d62728">failed ${failed}</text>`);
  if (rates.length > 0) {
    out.push(
      `<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${rates.map((r) => `${x(r.t)},${yRate(r.rate)}`).join(' ')}"/>`,
    );
    out.push(
      `<polyline fill="none" stroke="#d62728" stroke-width="1.5" points="${rates.map((r) => `${x(r.t)},${yFail(r.failed)}`).join(' ')}"/>`,
    );
  }
  for (const e of events.filter((e) => e.kind === 'failure'))
    out.push(
      `<line x1="${x(e.t)}" x2="${x(e.t)}" y1="${chartBottom - 8}" y2="${chartBottom}" stroke="#d62728"><title>${escapeXml(e.text)}</title></line>`,
    );
  // Steps: a numbered line across the lanes and the chart, listed underneath.
  for (const [i, e] of steps.entries()) {
    const stroke = e.kind === 'fault' ? '#d62728' : '#555';
    out.push(`<line x1="${x(e.t)}" x2="${x(e.t)}" y1="${top - 6}" y2="${chartBottom}" stroke="${stroke}" stroke-dasharray="3,3"/>`);
    out.push(`<text x="${x(e.t)}" y="${top - 10}" text-anchor="middle" fill="${stroke}">${i + 1}</text>`);
  }
  for (let s = 0; s <= tMax / 1000; s += tMax > 30_000 ? 10 : 5)
    out.push(`<text x="${x(s * 1000)}" y="${chartBottom + 16}" text-anchor="middle" fill="#555">${s} s</text>`);
  const legendY = chartBottom + 40;
  out.push(
    `<text x="${LEFT}" y="${legendY - 4}" fill="#555">` +
      `<tspan fill="${COLORS.N}">■</tspan> release N  <tspan fill="${COLORS['N+1']}">■</tspan> release N+1  <tspan fill="${COLORS.down}">■</tspan> down  ` +
      `<tspan fill="#1f77b4">—</tspan> operations/s  <tspan fill="#d62728">—</tspan> failed so far</text>`,
  );
  for (const [i, e] of steps.entries())
    out.push(
      `<text x="${LEFT}" y="${legendY + 16 + i * 16}" fill="${e.kind === 'fault' ? '#d62728' : '#222'}">${i + 1}. +${(e.t / 1000).toFixed(1)} s  ${escapeXml(e.text)}</text>`,
    );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function writeTimeline(path: string, recording: Recording): string {
  writeFileSync(path, renderTimeline(recording));
  return path;
}
