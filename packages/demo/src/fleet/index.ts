/**
 * The fleet core: the pieces of a rolling upgrade under load, each taking its transport, its `Upgrade` (the
 * services table) and its timings, so that they run in one process (InMemoryFleet, `pnpm demo`) or one per
 * OS process (a child opens its own transport and `Upgrade.open({ database: url, ...upgradeTimings(t) })`).
 *
 * - `FleetTimings`, `DEMO_TIMINGS`, `upgradeTimings(t)`: heartbeat, down time, late grace, table poll; the API
 *   service's view age (`viewMaxAgeMs`) and a graceful stop's drain (`drainMs` >= 2 x viewMaxAgeMs, checked).
 * - `VolumeHost({ host, zone, connect: () => Transport, upgrade, timings, rows?, report? })`: one release at a
 *   time. `start(RELEASE_N | RELEASE_N1, registerOptions?)` listens on `volume.<host>` then registers its row
 *   (binary `volume`); `stop()` marks the row stopped, serves `drainMs` more, closes; `crash()` drops server and
 *   connection, the row is left to turn late/dead. `report(HostReport)`: each message delivered (with its
 *   `request_id`: duplicates), each one undecodable, each state change. `rows` outlive a restart (in a child
 *   process, pass a Map you persist, or accept that get/extend after a restart need the rows).
 * - `ApiService.start({ host, release: 'N' | 'N+1', transport, upgrade, timings, volumes? })`: the caller (a
 *   VolumeAPI capped and pinned by `upgrade` on every call, never above its own release; its own row, binary
 *   `api`). `run(op, requestId)` never rejects and resolves with an `Outcome` (host, degraded, objects
 *   backported as seen on the wire, typed `error.code`). It addresses only hosts live in its view of the table
 *   (at most `viewMaxAgeMs` old) that run at least the pinned release. `stop()` marks its row stopped.
 * - `LoadGenerator({ caller, ratePerSecond?, mix?, idPrefix?, onOutcome? })`: `start()`, `switchTo(caller)`
 *   (resolves once the old caller has nothing in flight), `stop()` (resolves with the final `LoadStats`),
 *   `stats()` (a JSON-safe `LoadStats`), `failures` (each with host, sentAt, code). A `Caller` is anything with
 *   `run(op, requestId)`: an ApiService, or an IPC proxy to one in a child process.
 * - `Recorder(title)`: `sample({ pins, hosts, stats })` on your timer, `event(kind, text, host?)`,
 *   `recording()` (JSON-safe); `DeliveryLedger.take(HostReport)`: duplicates, casts/calls delivered, undecodable.
 * - `renderTimeline(recording)` / `writeTimeline(path, recording)`: a self-contained SVG.
 * - `FleetControl` + `rollingUpgrade(hosts)` + `runPlan(fleet, steps, settleMs)`: the upgrade plan, for any
 *   fleet implementing FleetControl (restartHost, replaceApi, finalize, reloadAll, recorder).
 * - `InMemoryFleet.open(options)`: all of it on one InMemoryBroker and a SQLite file (the demo, the fault test);
 *   a model for a process fleet: `sampleNow()`, `stopLoad()` (waits drainMs for casts in transit), `lostCasts()`,
 *   `dropBrokerConnections(forMs)` (the broker closes every connection; what is sent meanwhile waits for it).
 * - `summarize(stats, ledger, castsLost, pinChanges, seconds, timelinePath?)` / `formatSummary(summary)`: the
 *   final table; `exitCodeOf(summary)`: 0 only if nothing failed, ran twice, was lost or unread.
 * Zero failed calls rests on three rules (docs/rolling-upgrades.md): callers address only hosts live in a view
 * at most viewMaxAgeMs old; a graceful stop marks its row stopped and drains drainMs before it stops listening;
 * a start listens before it registers. Over RabbitMQ keep delivery latency well under drainMs - viewMaxAgeMs.
 */
export { DEMO_TIMINGS, checkTimings, upgradeTimings, type FleetTimings } from './timings.js';
export { VolumeHost, VOLUME_BINARY, type VolumeHostOptions, type HostReport, type HostState } from './volume-host.js';
export {
  ApiService,
  API_BINARY,
  OPERATIONS,
  countBackported,
  type ApiServiceOptions,
  type Operation,
  type Outcome,
  type VolumeDirectory,
} from './api-service.js';
export { LoadGenerator, emptyStats, type Caller, type LoadOptions, type LoadStats, type FailureRecord } from './load.js';
export {
  Recorder,
  DeliveryLedger,
  OutcomeLog,
  type SentCast,
  type Recording,
  type Sample,
  type FleetEvent,
  type EventKind,
} from './recorder.js';
export { renderTimeline, writeTimeline } from './timeline.js';
export { rollingUpgrade, runPlan, type FleetControl, type Step } from './plan.js';
export { summarize, formatSummary, exitCodeOf, type Summary } from './summary.js';
export { InMemoryFleet, RELEASES, releaseNamed, type InMemoryFleetOptions, type PinChangeSeen } from './in-memory.js';
