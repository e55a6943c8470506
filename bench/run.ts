/**
 * `npm run bench [-- --rows N --json FILE]`: issue 6's five figures, measured
 * on this machine in one run (docs/performance.md).
 *
 * Every measured command runs as its own process, started the same way (so
 * process start-up weighs on both sides alike), and reports its peak resident
 * memory and CPU time through report-usage.js. Compared commands alternate
 * within each round, and the order flips every round, so that drift (other
 * work on the machine, a warming cache) hits both alike. Seconds are the median
 * and min-max of --runs rounds (default 3).
 *
 *   1. ingest, clean gzip JSONL into a database file  vs bare CTAS read_json
 *   2. ingest, the same with 1% malformed lines        vs bare with ignore_errors
 *   3. re-ingest of the loaded directory               vs the first ingest
 *   4. full audit (all detections, incidents, reports) vs bench/naive-geofence.mjs
 *   5. peak RSS of ingest + audit at N rows            vs at --scale x N rows
 * plus the geo lookup line from bench/geo.ts (benchGeo), when it exists.
 */
import { spawn } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBenchLogs, type GeneratedLogs, type LogSet } from './generate.js';
import { CLUSTER, clickhouseBinary, startCluster } from '../test/clickhouse/servers.js';

/** dist/bench/bench/run.js -> the project root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const BARE = join(HERE, 'bare.js');
const FLOOR = join(HERE, 'floor.js');
const USAGE = join(HERE, 'report-usage.js');
const NAIVE = join(ROOT, 'bench', 'naive-geofence.mjs');
const GEO = join(HERE, 'geo.js');
/** A fixed clock for the audits, after the generated weeks. */
const NOW = '2020-06-01T00:00:00Z';
/** Bumped when the generator's output changes, so that cached logs are regenerated. */
const GENERATOR_VERSION = 1;

interface Options {
  rows: number;
  runs: number;
  scale: number;
  seed: number;
  out: string;
  json: string | null;
  fresh: boolean;
  clickhouse: boolean;
  smallFiles: number;
}

interface Measured {
  seconds: number;
  maxRssMb: number;
  cpuSeconds: number;
  stdout: string;
  stderr: string;
}

interface Series {
  runs: Measured[];
  median: number;
  min: number;
  max: number;
}

interface Figure {
  id: string;
  title: string;
  rows: number;
  subject: Series;
  baseline: Series | null;
  baselineTitle: string;
  /** How the ratio is formed, and the goal it is held to. */
  ratio: number | null;
  ratioLabel: string;
  goal: string;
  holds: boolean | null;
  peakRssMb: number;
  notes: string[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { rows: 2_000_000, runs: 3, scale: 5, seed: 2020, out: join(ROOT, 'bench', 'out'), json: null, fresh: false, clickhouse: true, smallFiles: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const count = (name: string, v: string, min: number) => {
      const n = Number(v.replaceAll('_', '').replaceAll(',', ''));
      if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected a whole number >= ${min}, got ${v}`);
      return n;
    };
    if (flag === '--rows') options.rows = count('--rows', value(), 1000);
    else if (flag === '--runs') options.runs = count('--runs', value(), 1);
    else if (flag === '--scale') options.scale = count('--scale', value(), 1);
    else if (flag === '--seed') options.seed = count('--seed', value(), 0);
    else if (flag === '--out') options.out = resolve(value());
    else if (flag === '--json') options.json = resolve(value());
    else if (flag === '--fresh') options.fresh = true;
    else if (flag === '--no-clickhouse') options.clickhouse = false;
    else if (flag === '--small-files') options.smallFiles = count('--small-files', value(), 0);
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(
        'usage: npm run bench -- [--rows N] [--runs R] [--scale S] [--seed S] [--json FILE] [--out DIR] [--fresh]\n' +
          '  --rows N   rows of the measured logs (default 2000000)\n' +
          '  --runs R   rounds per compared pair (default 3)\n' +
          '  --scale S  the memory figure compares N with S x N rows (default 5; 1 skips it)\n' +
          '  --json F   also write the results as JSON\n' +
          '  --out DIR  working folder (default bench/out); generated logs are reused when they match\n' +
          '  --fresh    regenerate the logs even when a matching set exists\n' +
          '  --small-files N  the small-files row: N files of 100 lines (default 10000; 0 skips it; one round)\n' +
          '  --no-clickhouse  skip the ClickHouse rows (two local shards; they need Debian\'s clickhouse-server)\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${flag} (see --help)`);
  }
  return options;
}

/** Runs `node [--import report-usage] script args` and measures it from spawn to exit. */
async function measure(script: string, args: string[], options: { allowExit?: number[] } = {}): Promise<Measured> {
  const usageFile = join(tmpDir, `usage-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', USAGE, script, ...args], {
    env: { ...process.env, BENCH_USAGE_FILE: usageFile, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((done, fail) => {
    child.on('error', fail);
    child.on('close', (c) => done(c ?? -1));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0 && !(options.allowExit ?? []).includes(code)) {
    throw new Error(`${script} ${args.join(' ')} exited ${code}\n${stderr}${stdout}`.slice(0, 4000));
  }
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKb: number; userSeconds: number; systemSeconds: number };
  rmSync(usageFile, { force: true });
  return { seconds, maxRssMb: usage.maxRssKb / 1024, cpuSeconds: usage.userSeconds + usage.systemSeconds, stdout, stderr };
}

function series(runs: Measured[]): Series {
  const sorted = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { runs, median, min: sorted[0]!, max: sorted.at(-1)! };
}

const peak = (...groups: Measured[][]) => Math.max(...groups.flat().map((m) => m.maxRssMb));

/** The "lines read X = loaded Y + duplicates Z + rejected W" line of the ingest command. */
function ingestCounts(stdout: string): { read: number; loaded: number; duplicates: number; rejected: number; adds: boolean } {
  const m = /lines read ([\d,]+) = loaded ([\d,]+) \+ duplicates ([\d,]+) \+ rejected ([\d,]+) \((adds up|DOES NOT ADD UP)/.exec(stdout);
  if (!m) throw new Error(`no totals line in the ingest output:\n${stdout.slice(-2000)}`);
  const n = (s: string) => Number(s.replaceAll(',', ''));
  return { read: n(m[1]!), loaded: n(m[2]!), duplicates: n(m[3]!), rejected: n(m[4]!), adds: m[5] === 'adds up' };
}

function newestRunFolder(dir: string): string {
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'findings.json')))
    .map((e) => join(dir, e.name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (folders.length === 0) throw new Error(`no run folder with findings.json in ${dir}`);
  return folders[0]!;
}

let tmpDir = '';

async function logsFor(options: Options): Promise<{ logs: GeneratedLogs; seconds: number; reused: boolean }> {
  const dataDir = join(options.out, 'data');
  const manifestPath = join(dataDir, 'manifest.json');
  const key = { version: GENERATOR_VERSION, rows: options.rows, seed: options.seed, weeks: Math.max(1, options.scale) };
  if (!options.fresh && existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { key: typeof key; logs: GeneratedLogs };
    if (JSON.stringify(manifest.key) === JSON.stringify(key) && manifest.logs.clean.files.every((f) => existsSync(f))) {
      return { logs: manifest.logs, seconds: 0, reused: true };
    }
  }
  const started = performance.now();
  const logs = await generateBenchLogs({ rows: options.rows, seed: options.seed, out: dataDir, weeks: key.weeks });
  writeFileSync(manifestPath, JSON.stringify({ key, logs }, null, 1));
  return { logs, seconds: (performance.now() - started) / 1000, reused: false };
}

/**
 * Waits until every log was last changed over 2 s ago. The stat cache trusts no file changed
 * within 2 s of its hashing (src/ingest/stat-cache.ts), so logs just generated would be hashed
 * again by the first re-ingest: the re-ingest figure is of unchanged, settled files.
 */
async function settle(files: readonly string[]): Promise<void> {
  const changed = Math.max(...files.map((f) => Math.max(statSync(f).mtimeMs, statSync(f).ctimeMs)));
  const wait = changed + 2_100 - Date.now();
  if (wait > 0) await new Promise((done) => setTimeout(done, wait));
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const benchStarted = performance.now();
  mkdirSync(options.out, { recursive: true });
  tmpDir = join(options.out, 'work');
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm run bench does)`);

  const machine = {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGb: Math.round((freemem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  log(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB memory (${machine.freeMemoryGb} GB free), Node ${machine.node}`);

  log(`generating ${fmt(options.rows)} rows (+ the 1% malformed variant${options.scale > 1 ? `, and ${options.scale}x for the memory figure` : ''})…`);
  const { logs, seconds: generateSeconds, reused } = await logsFor(options);
  log(reused ? `reusing the logs in ${join(options.out, 'data')} (--fresh regenerates them)` : `generated in ${generateSeconds.toFixed(1)} s`);
  describeSet('clean', logs.clean);
  describeSet('malformed', logs.malformed);
  if (logs.scaled) describeSet(`${options.scale}x`, logs.scaled);
  await settle([...logs.clean.files, ...logs.malformed.files, ...(logs.scaled?.files ?? [])]);

  const figures: Figure[] = [];
  const db = (name: string) => join(tmpDir, `${name}.duckdb`);

  // 1 and 3: first ingest, re-ingest, bare; alternating.
  const ingests: Measured[] = [];
  const reingests: Measured[] = [];
  const bares: Measured[] = [];
  let auditDb = '';
  for (let round = 0; round < options.runs; round++) {
    const target = db(`ingest-${round}`);
    const ingest = async () => {
      rmSync(target, { force: true });
      const first = await measure(CLI, ['ingest', logs.clean.dir, '--db', target]);
      const counts = ingestCounts(first.stdout);
      if (!counts.adds || counts.read !== logs.clean.lines || counts.loaded !== logs.clean.records) {
        throw new Error(`clean ingest: expected ${logs.clean.lines} lines loaded, got ${JSON.stringify(counts)}`);
      }
      ingests.push(first);
      const again = await measure(CLI, ['ingest', logs.clean.dir, '--db', target]);
      const recount = ingestCounts(again.stdout);
      if (recount.read !== 0) throw new Error(`re-ingest read ${recount.read} lines; expected every file to be already ingested`);
      reingests.push(again);
    };
    const bare = async () => bares.push(await measure(BARE, [db(`bare-${round}`), ...logs.clean.files]));
    log(`round ${round + 1}/${options.runs}: ingest, re-ingest and bare CTAS`);
    await alternate(round, ingest, bare);
    rmSync(db(`bare-${round}`), { force: true });
    if (round < options.runs - 1) rmSync(target, { force: true });
    else auditDb = target;
  }
  const ingestSeries = series(ingests);
  const bareSeries = series(bares);
  figures.push({
    id: 'ingest',
    title: 'ingest, clean gzip JSONL into a database file',
    rows: logs.clean.records,
    subject: ingestSeries,
    baseline: bareSeries,
    baselineTitle: 'bare CTAS read_json',
    ratio: bareSeries.median / ingestSeries.median,
    ratioLabel: 'rows/s vs bare',
    goal: '>= 0.8',
    holds: bareSeries.median / ingestSeries.median >= 0.8,
    peakRssMb: peak(ingests),
    notes: [`bare peak RSS ${peak(bares).toFixed(0)} MB`],
  });

  // 2: malformed lines.
  const badIngests: Measured[] = [];
  const badBares: Measured[] = [];
  let bareRowsWithErrors = 0;
  for (let round = 0; round < options.runs; round++) {
    const target = db(`malformed-${round}`);
    const ingest = async () => {
      rmSync(target, { force: true });
      const m = await measure(CLI, ['ingest', logs.malformed.dir, '--db', target]);
      const counts = ingestCounts(m.stdout);
      if (!counts.adds || counts.read !== logs.malformed.lines || counts.rejected !== logs.malformed.malformedLines || counts.loaded !== logs.malformed.records) {
        throw new Error(`malformed ingest: expected ${logs.malformed.lines} lines, ${logs.malformed.malformedLines} rejected; got ${JSON.stringify(counts)}`);
      }
      badIngests.push(m);
    };
    const bare = async () => {
      const m = await measure(BARE, [db(`bare-bad-${round}`), '--ignore-errors', ...logs.malformed.files]);
      bareRowsWithErrors = (JSON.parse(m.stdout) as { rows: number }).rows;
      badBares.push(m);
    };
    log(`round ${round + 1}/${options.runs}: ingest with 1% malformed lines and bare CTAS with ignore_errors`);
    await alternate(round, ingest, bare);
    rmSync(target, { force: true });
    rmSync(db(`bare-bad-${round}`), { force: true });
  }
  const badSeries = series(badIngests);
  const badBareSeries = series(badBares);
  figures.push({
    id: 'ingest-malformed',
    title: 'the same with 1% malformed lines',
    rows: logs.malformed.lines,
    subject: badSeries,
    baseline: badBareSeries,
    baselineTitle: 'bare, ignore_errors=true',
    ratio: badBareSeries.median / badSeries.median,
    ratioLabel: 'rows/s vs bare',
    goal: '>= 0.7, every bad line accounted',
    holds: badBareSeries.median / badSeries.median >= 0.7,
    peakRssMb: peak(badIngests),
    notes: [
      `routeaudit: ${fmt(logs.malformed.malformedLines)} of ${fmt(logs.malformed.lines)} lines rejected, each with file, line and reason (checked: equals the planted bad lines)`,
      `bare: ${fmt(bareRowsWithErrors)} rows from ${fmt(logs.malformed.lines)} lines, nothing says which were bad`,
    ],
  });

  // 3: re-ingest.
  const reSeries = series(reingests);
  figures.push({
    id: 'reingest',
    title: 're-ingest of the loaded directory',
    rows: logs.clean.records,
    subject: reSeries,
    baseline: ingestSeries,
    baselineTitle: 'first ingest',
    ratio: reSeries.median / ingestSeries.median,
    ratioLabel: 'time / first ingest',
    goal: '< 0.02',
    holds: reSeries.median / ingestSeries.median < 0.02,
    peakRssMb: peak(reingests),
    notes: [`${logs.clean.files.length} files, all reported "already ingested"`],
  });

  // 4: audit vs the naive script.
  const audits: Measured[] = [];
  const naives: Measured[] = [];
  const floors: Measured[] = [];
  let auditGeofence = -1;
  let naiveGeofence = -1;
  const reports = join(tmpDir, 'reports');
  for (let round = 0; round < options.runs; round++) {
    const audit = async () => {
      rmSync(reports, { recursive: true, force: true });
      const m = await measure(CLI, ['audit', '--db', auditDb, '--policy', logs.policyFile, '--out', reports, '--fail-on', 'none', '--now', NOW]);
      const findings = JSON.parse(readFileSync(join(newestRunFolder(reports), 'findings.json'), 'utf8')) as { findings: { rule: string }[] };
      auditGeofence = findings.findings.filter((f) => f.rule === 'geofence').length;
      audits.push(m);
    };
    const naive = async () => {
      const m = await measure(NAIVE, ['--policy', logs.policyFile, ...logs.clean.files]);
      naiveGeofence = (JSON.parse(m.stdout) as { violations: number }).violations;
      naives.push(m);
    };
    const floor = async () => {
      const m = await measure(FLOOR, [auditDb]);
      const counted = JSON.parse(m.stdout) as { attempts: number };
      if (counted.attempts !== logs.clean.records) throw new Error(`floor: read ${counted.attempts} attempts, expected ${logs.clean.records}`);
      floors.push(m);
    };
    log(`round ${round + 1}/${options.runs}: full audit, the naive geofence script and the floor (one group-by pass)`);
    await alternate(round, audit, async () => {
      await naive();
      await floor();
    });
  }
  const auditSeries = series(audits);
  const naiveSeries = series(naives);
  figures.push({
    id: 'audit',
    title: 'full audit: all detections, incidents, all report formats',
    rows: logs.clean.records,
    subject: auditSeries,
    baseline: naiveSeries,
    baselineTitle: 'naive Node script, geofence only',
    ratio: naiveSeries.median / auditSeries.median,
    ratioLabel: 'times faster',
    goal: '>= 10x',
    holds: naiveSeries.median / auditSeries.median >= 10,
    peakRssMb: peak(audits),
    notes: [
      `geofence sessions: audit ${fmt(auditGeofence)}, naive script ${fmt(naiveGeofence)}` +
        (auditGeofence === naiveGeofence ? ' (equal)' : ' (differ: the audit also places clients by client_ip, the script only by client_country)'),
      `naive script peak RSS ${peak(naives).toFixed(0)} MB`,
    ],
  });

  // The audit against its floor: one group-by pass over the stored attempts (bench/floor.ts).
  const floorSeries = series(floors);
  figures.push({
    id: 'audit-floor',
    title: 'full audit, against its floor',
    rows: logs.clean.records,
    subject: auditSeries,
    baseline: floorSeries,
    baselineTitle: 'floor: one GROUP BY session pass',
    ratio: auditSeries.median / floorSeries.median,
    ratioLabel: 'times the floor',
    goal: '<= 2.5 (at 10M rows)',
    holds: auditSeries.median / floorSeries.median <= 2.5,
    peakRssMb: peak(audits),
    notes: [`floor peak RSS ${peak(floors).toFixed(0)} MB, ${series(floors.map((f) => ({ ...f, seconds: f.cpuSeconds }))).median.toFixed(2)} CPU s`],
  });

  // A one-day audit (a nightly run's window) against the floor over that day's attempts.
  {
    const day = lastDayOf(logs.clean);
    const until = new Date(Date.parse(day) + 86_400_000).toISOString();
    const dayAudits: Measured[] = [];
    const dayFloors: Measured[] = [];
    for (let round = 0; round < options.runs; round++) {
      log(`round ${round + 1}/${options.runs}: one-day audit and the floor over that day`);
      await alternate(
        round,
        async () => {
          rmSync(reports, { recursive: true, force: true });
          dayAudits.push(await measure(CLI, ['audit', '--db', auditDb, '--policy', logs.policyFile, '--out', reports, '--fail-on', 'none', '--now', NOW, '--since', day, '--until', until]));
        },
        async () => void dayFloors.push(await measure(FLOOR, [auditDb, day, until])),
      );
    }
    const dayAudit = series(dayAudits);
    const dayFloor = series(dayFloors);
    const dayRows = (JSON.parse(dayFloors[0]!.stdout) as { attempts: number }).attempts;
    figures.push({
      id: 'nightly-floor',
      title: 'one-day audit, against the floor over that day',
      rows: dayRows,
      subject: dayAudit,
      baseline: dayFloor,
      baselineTitle: "floor over the day's attempts",
      ratio: dayAudit.median / dayFloor.median,
      ratioLabel: 'times the floor',
      goal: '<= 2.5',
      holds: dayAudit.median / dayFloor.median <= 2.5,
      peakRssMb: peak(dayAudits),
      notes: [`day ${day.slice(0, 10)}: ${fmt(dayRows)} attempts of ${fmt(logs.clean.records)}; the audit also reads the 7-day baseline before it`],
    });
  }

  // Many small files: N files of 100 lines, against bare DuckDB reading the same glob. One round:
  // the per-file cost makes it the bench's longest row.
  if (options.smallFiles > 0) figures.push(await benchSmallFiles(options, logs, db));

  // The ClickHouse engine on two local shards against the DuckDB engine, ingest and audit,
  // alternating; the reports must be the same (docs/clickhouse.md).
  if (options.clickhouse && clickhouseBinary() !== null) figures.push(...(await benchClickHouse(options, logs, auditDb, db, reports)));
  else log(options.clickhouse ? 'clickhouse: no clickhouse-server installed (Debian package clickhouse-server); no ClickHouse rows' : 'clickhouse: skipped (--no-clickhouse)');

  // 5: memory at N and scale x N.
  const peakN = Math.max(peak(ingests), peak(audits));
  if (logs.scaled && options.scale > 1) {
    log(`memory: ingest and audit of ${fmt(logs.scaled.records)} rows`);
    const target = db('scaled');
    rmSync(target, { force: true });
    const ingest = await measure(CLI, ['ingest', logs.scaled.dir, '--db', target]);
    const counts = ingestCounts(ingest.stdout);
    if (!counts.adds || counts.loaded !== logs.scaled.records) throw new Error(`scaled ingest: ${JSON.stringify(counts)}`);
    rmSync(reports, { recursive: true, force: true });
    const audit = await measure(CLI, ['audit', '--db', target, '--policy', logs.policyFile, '--out', reports, '--fail-on', 'none', '--now', NOW]);
    const peakScaled = Math.max(ingest.maxRssMb, audit.maxRssMb);
    const scaledSeries = series([{ ...ingest, seconds: ingest.seconds + audit.seconds }]);
    figures.push({
      id: 'memory',
      title: `peak RSS, ingest + audit, ${options.scale}x the rows`,
      rows: logs.scaled.records,
      subject: scaledSeries,
      baseline: null,
      baselineTitle: `${fmt(logs.clean.records)} rows: ${peakN.toFixed(0)} MB`,
      ratio: peakScaled / peakN,
      ratioLabel: `RSS / RSS at N`,
      goal: '< 1.3',
      holds: peakScaled / peakN < 1.3,
      peakRssMb: peakScaled,
      notes: [
        `at ${fmt(logs.clean.records)} rows: ingest ${peak(ingests).toFixed(0)} MB, audit ${peak(audits).toFixed(0)} MB`,
        `at ${fmt(logs.scaled.records)} rows: ingest ${ingest.maxRssMb.toFixed(0)} MB (${ingest.seconds.toFixed(1)} s), audit ${audit.maxRssMb.toFixed(0)} MB (${audit.seconds.toFixed(1)} s)`,
      ],
    });

    // 6: a nightly run audits one day whatever the history: the last day with the
    // scale x N history against the last day with N rows (sessions read whole, the
    // 7-day fallback baseline included). Informational: the issue sets no goal.
    const nightlyAt = async (database: string, set: LogSet) => {
      const day = lastDayOf(set);
      const until = new Date(Date.parse(day) + 86_400_000).toISOString();
      rmSync(reports, { recursive: true, force: true });
      return measure(CLI, ['audit', '--db', database, '--policy', logs.policyFile, '--out', reports, '--fail-on', 'none', '--now', NOW, '--since', day, '--until', until]);
    };
    const nightlyN: Measured[] = [];
    const nightlyScaled: Measured[] = [];
    for (let round = 0; round < options.runs; round++) {
      log(`round ${round + 1}/${options.runs}: one-day audit over ${fmt(logs.clean.records)} and ${fmt(logs.scaled.records)} rows of history`);
      const scaledLogs = logs.scaled;
      await alternate(
        round,
        async () => void nightlyScaled.push(await nightlyAt(target, scaledLogs)),
        async () => void nightlyN.push(await nightlyAt(auditDb, logs.clean)),
      );
    }
    const nightlySeries = series(nightlyScaled);
    const nightlyBase = series(nightlyN);
    figures.push({
      id: 'nightly',
      title: `one-day audit over ${options.scale}x the history`,
      rows: logs.scaled.records,
      subject: nightlySeries,
      baseline: nightlyBase,
      baselineTitle: `one-day audit over ${fmt(logs.clean.records)} rows`,
      ratio: nightlySeries.median / nightlyBase.median,
      ratioLabel: 'time / at N',
      goal: '',
      holds: null,
      peakRssMb: peak(nightlyScaled),
      notes: [`last day ${lastDayOf(logs.scaled)} over ${fmt(logs.scaled.records)} rows; last day ${lastDayOf(logs.clean)} over ${fmt(logs.clean.records)} rows; peak RSS at N ${peak(nightlyN).toFixed(0)} MB`],
    });
    rmSync(target, { force: true });
  }

  // The geo engineer's figure (bench/geo.ts: export benchGeo(rows)), when it exists.
  let geo: { name: string; rows: number; seconds: number[]; median: number; rowsPerSecond: number } | null = null;
  if (existsSync(GEO)) {
    const { benchGeo } = (await import(GEO)) as { benchGeo: (rows: number) => Promise<{ name: string; rows: number; seconds: number }> };
    const geoRows = Math.min(options.rows, 1_000_000);
    const results = [];
    for (let round = 0; round < options.runs; round++) results.push(await benchGeo(geoRows));
    const secs = results.map((r) => r.seconds).sort((a, b) => a - b);
    const median = secs[secs.length >> 1]!;
    geo = { name: results[0]!.name, rows: geoRows, seconds: secs, median, rowsPerSecond: geoRows / median };
  } else {
    log('geo: bench/geo.ts (export benchGeo(rows)) is not there; no geo line');
  }

  const totalSeconds = (performance.now() - benchStarted) / 1000;
  process.stdout.write('\n' + renderTable(figures, geo) + '\n');
  process.stdout.write(`bench took ${totalSeconds.toFixed(0)} s (log generation ${reused ? 'reused' : `${generateSeconds.toFixed(0)} s`}); ${machine.cpus} CPUs, ${machine.memoryGb} GB\n`);

  if (options.json) {
    const strip = (s: Series | null) => s && { ...s, runs: s.runs.map(({ stdout: _stdout, stderr: _stderr, ...rest }) => rest) };
    writeFileSync(
      options.json,
      JSON.stringify(
        {
          schema: 'routeaudit/bench',
          generatedAt: new Date().toISOString(),
          machine,
          options: { rows: options.rows, runs: options.runs, scale: options.scale, seed: options.seed },
          logs: {
            generatedSeconds: reused ? null : generateSeconds,
            clean: summarizeSet(logs.clean),
            malformed: { ...summarizeSet(logs.malformed), byKind: logs.malformedByKind },
            scaled: logs.scaled && summarizeSet(logs.scaled),
          },
          figures: figures.map((f) => ({ ...f, subject: strip(f.subject), baseline: strip(f.baseline) })),
          geo,
          totalSeconds,
        },
        null,
        2,
      ) + '\n',
    );
    log(`wrote ${options.json}`);
  }
  rmSync(tmpDir, { recursive: true, force: true });
}

/** N files of 100 lines cut from the clean logs (cached with them), ingested against bare DuckDB over the same glob. */
async function benchSmallFiles(options: Options, logs: GeneratedLogs, db: (name: string) => string): Promise<Figure> {
  const dir = join(options.out, 'data', `small-${options.smallFiles}`);
  const lines = options.smallFiles * 100;
  if (!existsSync(join(dir, 'done'))) {
    log(`writing ${fmt(options.smallFiles)} files of 100 lines…`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const taken: string[] = [];
    for (const file of logs.clean.files) {
      for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
        if (line.length > 0) taken.push(line);
        if (taken.length === lines) break;
      }
      if (taken.length === lines) break;
    }
    if (taken.length < lines) throw new Error(`small files: the clean logs have ${taken.length} lines, fewer than ${lines}`);
    for (let i = 0; i < options.smallFiles; i++) {
      writeFileSync(join(dir, `part-${String(i).padStart(6, '0')}.jsonl`), taken.slice(i * 100, i * 100 + 100).join('\n') + '\n');
    }
    writeFileSync(join(dir, 'done'), '');
  }
  const target = db('small');
  rmSync(target, { force: true });
  log(`small files: ingest of ${fmt(options.smallFiles)} files and bare DuckDB over the glob`);
  const bare = await measure(BARE, [db('small-bare'), join(dir, '*.jsonl')]);
  const bareRows = (JSON.parse(bare.stdout) as { rows: number }).rows;
  if (bareRows !== lines) throw new Error(`small files: bare read ${bareRows} rows, expected ${lines}`);
  const ingest = await measure(CLI, ['ingest', dir, '--db', target]);
  const counts = ingestCounts(ingest.stdout);
  if (!counts.adds || counts.loaded !== lines) throw new Error(`small files: expected ${lines} loaded, got ${JSON.stringify(counts)}`);
  rmSync(target, { force: true });
  rmSync(db('small-bare'), { force: true });
  const subject = series([ingest]);
  const baseline = series([bare]);
  return {
    id: 'small-files',
    title: `ingest of ${fmt(options.smallFiles)} files of 100 lines`,
    rows: lines,
    subject,
    baseline,
    baselineTitle: 'bare CTAS read_json over the glob',
    ratio: baseline.median / subject.median,
    ratioLabel: 'rows/s vs bare',
    goal: '>= 0.5',
    holds: baseline.median / subject.median >= 0.5,
    peakRssMb: ingest.maxRssMb,
    notes: [`${((ingest.seconds * 1000) / options.smallFiles).toFixed(1)} ms per file; one round`],
  };
}

/** Ingest and audit on ClickHouse (two shards on loopback) against the DuckDB engine on the same logs. */
async function benchClickHouse(options: Options, logs: GeneratedLogs, auditDb: string, db: (name: string) => string, reports: string): Promise<Figure[]> {
  log('clickhouse: starting two local shards');
  const cluster = await startCluster(2);
  try {
    const engine = (database: string) => ['--engine', 'clickhouse', '--clickhouse', cluster.spec(database), '--clickhouse-cluster', CLUSTER];
    const chIngests: Measured[] = [];
    const duckIngests: Measured[] = [];
    let lastDatabase = '';
    for (let round = 0; round < options.runs; round++) {
      const database = `bench_${round}`;
      const local = db(`ch-history-${round}`);
      const target = db(`duck-${round}`);
      const chIngest = async () => {
        rmSync(local, { force: true });
        const m = await measure(CLI, ['ingest', logs.clean.dir, '--db', local, ...engine(database)]);
        const counts = ingestCounts(m.stdout);
        if (!counts.adds || counts.loaded !== logs.clean.records) throw new Error(`clickhouse ingest: expected ${logs.clean.records} loaded, got ${JSON.stringify(counts)}`);
        chIngests.push(m);
      };
      const duckIngest = async () => {
        rmSync(target, { force: true });
        duckIngests.push(await measure(CLI, ['ingest', logs.clean.dir, '--db', target]));
        rmSync(target, { force: true });
      };
      log(`round ${round + 1}/${options.runs}: ingest into ClickHouse (2 shards) and into DuckDB`);
      await alternate(round, chIngest, duckIngest);
      lastDatabase = database;
    }
    const chAudits: Measured[] = [];
    const duckAudits: Measured[] = [];
    const chReports = `${reports}-clickhouse`;
    const duckReports = `${reports}-duckdb`;
    let cameHome = '';
    for (let round = 0; round < options.runs; round++) {
      const chAudit = async () => {
        rmSync(chReports, { recursive: true, force: true });
        const m = await measure(CLI, ['audit', '--db', db(`ch-history-${options.runs - 1}`), ...engine(lastDatabase), '--policy', logs.policyFile, '--out', chReports, '--fail-on', 'none', '--now', NOW]);
        cameHome = /clickhouse: (.*) \(docs/.exec(m.stderr)?.[1] ?? cameHome;
        chAudits.push(m);
      };
      const duckAudit = async () => {
        rmSync(duckReports, { recursive: true, force: true });
        duckAudits.push(await measure(CLI, ['audit', '--db', auditDb, '--policy', logs.policyFile, '--out', duckReports, '--fail-on', 'none', '--now', NOW]));
      };
      log(`round ${round + 1}/${options.runs}: full audit on ClickHouse and on DuckDB`);
      await alternate(round, chAudit, duckAudit);
    }
    const same = sameFindings(newestRunFolder(chReports), newestRunFolder(duckReports));
    if (!same) throw new Error('clickhouse: findings.json differs from the DuckDB engine\'s');
    const chIngestSeries = series(chIngests);
    const duckIngestSeries = series(duckIngests);
    const chAuditSeries = series(chAudits);
    const duckAuditSeries = series(duckAudits);
    return [
      {
        id: 'clickhouse-ingest',
        title: 'ingest into ClickHouse, 2 local shards',
        rows: logs.clean.records,
        subject: chIngestSeries,
        baseline: duckIngestSeries,
        baselineTitle: 'ingest into DuckDB',
        ratio: duckIngestSeries.median / chIngestSeries.median,
        ratioLabel: 'rows/s vs DuckDB engine',
        goal: '',
        holds: null,
        peakRssMb: peak(chIngests),
        notes: ['same counts as the DuckDB engine (checked)', 'the servers share this machine\'s cores with the ingester'],
      },
      {
        id: 'clickhouse-audit',
        title: 'full audit on ClickHouse, 2 local shards',
        rows: logs.clean.records,
        subject: chAuditSeries,
        baseline: duckAuditSeries,
        baselineTitle: 'full audit on DuckDB',
        ratio: duckAuditSeries.median / chAuditSeries.median,
        ratioLabel: 'speed vs DuckDB engine',
        goal: '',
        holds: null,
        peakRssMb: peak(chAudits),
        notes: ['findings.json equal to the DuckDB engine\'s (checked)', cameHome],
      },
    ];
  } finally {
    await cluster.stop();
  }
}

/** The two runs' findings.json, the database label aside. */
function sameFindings(a: string, b: string): boolean {
  const read = (folder: string) => {
    const report = JSON.parse(readFileSync(join(folder, 'findings.json'), 'utf8')) as { run: { database: string } };
    report.run.database = '';
    return JSON.stringify(report);
  };
  return read(a) === read(b);
}

function renderTable(figures: Figure[], geo: { name: string; rows: number; median: number; seconds: number[]; rowsPerSecond: number } | null): string {
  const secs = (s: Series) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
  const rate = (rows: number, s: Series) => fmt(Math.round(rows / s.median));
  const header = ['figure', 'rows', 'seconds median (min-max)', 'rows/s', 'compared with', 'its seconds', 'its rows/s', 'ratio', 'goal', 'holds', 'peak RSS'];
  const body = figures.map((f) => [
    f.title,
    fmt(f.rows),
    f.id === 'memory' ? `${f.subject.median.toFixed(1)} (ingest + audit, 1 run)` : secs(f.subject),
    // Rows per second would mislead where the rows are history, not work done.
    f.id === 'memory' || f.id === 'nightly' ? '' : rate(f.rows, f.subject),
    f.baselineTitle,
    f.baseline ? secs(f.baseline) : '',
    f.baseline && f.id !== 'reingest' && f.id !== 'nightly' ? rate(f.rows, f.baseline) : '',
    f.ratio === null ? '' : `${f.ratio < 0.1 ? f.ratio.toFixed(4) : f.ratio.toFixed(2)} ${f.ratioLabel}`,
    f.goal,
    f.holds === null ? '' : f.holds ? 'yes' : 'NO',
    `${f.peakRssMb.toFixed(0)} MB`,
  ]);
  if (geo) {
    body.push([geo.name, fmt(geo.rows), `${geo.median.toFixed(2)} (${geo.seconds[0]!.toFixed(2)}-${geo.seconds.at(-1)!.toFixed(2)})`, fmt(Math.round(geo.rowsPerSecond)), '', '', '', '', '', '', '']);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const notes = figures.flatMap((f) => f.notes.map((n) => `  ${f.id}: ${n}`));
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), '', ...notes].join('\n');
}

/** The last UTC day of a log set, from its file names (connections-YYYY-MM-DD-sNN.jsonl.gz), as an ISO time. */
function lastDayOf(set: LogSet): string {
  const days = set.files.map((f) => /(\d{4}-\d{2}-\d{2})/.exec(f)?.[1]).filter((d): d is string => d !== undefined).sort();
  const last = days.at(-1);
  if (!last) throw new Error(`no dated file names in ${set.dir}`);
  return `${last}T00:00:00.000Z`;
}

function summarizeSet(set: LogSet) {
  return { files: set.files.length, records: set.records, lines: set.lines, malformedLines: set.malformedLines, gzipBytes: set.gzipBytes, rawBytes: set.rawBytes };
}

function describeSet(name: string, set: LogSet): void {
  log(`  ${name}: ${set.files.length} files, ${fmt(set.lines)} lines, ${(set.gzipBytes / 2 ** 20).toFixed(0)} MB gzip (${(set.rawBytes / 2 ** 20).toFixed(0)} MB raw)`);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

/** Runs the two compared commands back to back, flipping their order every round so drift hits both alike. */
async function alternate(round: number, first: () => Promise<unknown>, second: () => Promise<unknown>): Promise<void> {
  if (round % 2 === 0) {
    await first();
    await second();
  } else {
    await second();
    await first();
  }
}
