/**
 * Benchmark logs: gzip JSON Lines from the sample's own simulation (src/sample),
 * at any size, streamed to disk so that memory stays flat however many rows.
 *
 * - Traffic is simulated in chunks (chunk.ts), each with its own seed (seed +
 *   chunk) and cut to a fixed number of records, so the data is deterministic
 *   per (rows, seed) and chunks are rendered in parallel by worker threads.
 *   Every chunk is a whole sample week: office-hour meetings in eight regions,
 *   about 1.6 records per session, the 2020-04-01 US surge with its fallbacks to
 *   the Chinese datacenters on the US whitelist (geofence violations, some with
 *   key exchange), the scripted edge cases. Session ids get a chunk prefix so
 *   that chunks never share a session.
 * - Files: one per UTC day and shard (a shard is what one log shipper writes);
 *   chunk k goes to shard k mod shards, so every file holds about ROWS_PER_FILE
 *   rows. Lines are JSON objects in the sample's JSONL style: ISO timestamps,
 *   UTC with Z or the client's local offset (APAC), absent fields left out, and
 *   the extra field client_app that the ingester must ignore. gzip level 6.
 * - `weeks` > 1 also writes the same traffic shifted by whole weeks (session ids
 *   prefixed again, gzip level 1 to save time): the "5x the rows" set for the
 *   memory figure, without simulating it again. Week 0 is the N-row set.
 * - The malformed variant holds week 0's records plus one planted bad line per
 *   99 records (1% of its lines), of seven kinds, each a line the ingester must
 *   reject and the bare reader with ignore_errors=true drops or keeps silently.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createGzip, type Gzip } from 'node:zlib';
import { renderPolicyYaml } from '#routeaudit/sample/policy-yaml.js';
import { SAMPLE_DAYS, SAMPLE_START_MS } from '#routeaudit/sample/traffic.js';
import { SAMPLE_POLICY } from '#routeaudit/sample/world.js';
import { CHUNK_RECORDS, MALFORMED_KINDS, type ChunkRequest, type ChunkResult, type MalformedKind } from './chunk.js';

export { MALFORMED_KINDS, type MalformedKind };

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const ROWS_PER_FILE = 400_000;

export interface GenerateOptions {
  rows: number;
  seed: number;
  /** Output folder; emptied first. */
  out: string;
  /** 1: the N-row set only; 5: also weeks 1-4, the 5N set. */
  weeks: number;
  gzipLevel?: number;
}

export interface LogSet {
  /** Folder to ingest (searched recursively). */
  dir: string;
  files: string[];
  records: number;
  lines: number;
  malformedLines: number;
  gzipBytes: number;
  rawBytes: number;
}

export interface GeneratedLogs {
  policyFile: string;
  /** Week 0: N records, clean. */
  clean: LogSet;
  /** Week 0's records plus 1% planted bad lines. */
  malformed: LogSet;
  /** Weeks 0 to weeks-1 (weeks x N records); null when weeks = 1. */
  scaled: LogSet | null;
  malformedByKind: Record<MalformedKind, number>;
}

interface Sink {
  path: string;
  gzip: Gzip;
  done: Promise<unknown>;
  sets: LogSet[];
  rawBytes: number;
  gzipBytes: number;
}

export async function generateBenchLogs(options: GenerateOptions): Promise<GeneratedLogs> {
  const { rows, seed, out, weeks } = options;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const policyFile = join(out, 'policy.yaml');
  writeFileSync(policyFile, renderPolicyYaml(SAMPLE_POLICY));

  const shards = Math.max(1, Math.round(rows / SAMPLE_DAYS / ROWS_PER_FILE));
  const emptySet = (dir: string): LogSet => ({ dir, files: [], records: 0, lines: 0, malformedLines: 0, gzipBytes: 0, rawBytes: 0 });
  const clean = emptySet(join(out, 'clean', 'week-0'));
  const scaled = weeks > 1 ? emptySet(join(out, 'clean')) : null;
  const malformed = emptySet(join(out, 'malformed'));
  const malformedByKind = Object.fromEntries(MALFORMED_KINDS.map((k) => [k, 0])) as Record<MalformedKind, number>;
  const sinks = new Map<string, Sink>();

  const sinkFor = (variant: 'clean' | 'malformed', week: number, day: number, shard: number): Sink => {
    const key = `${variant}/${week}/${day}/${shard}`;
    let sink = sinks.get(key);
    if (!sink) {
      const dir = variant === 'clean' ? join(out, 'clean', `week-${week}`) : malformed.dir;
      mkdirSync(dir, { recursive: true });
      const date = new Date(SAMPLE_START_MS + week * WEEK_MS + day * DAY_MS).toISOString().slice(0, 10);
      const path = join(dir, `connections-${date}-s${String(shard).padStart(2, '0')}.jsonl.gz`);
      // Weeks after the first only feed the memory figure: gzip level 1 writes them faster.
      const gzip = createGzip({ level: week > 0 ? 1 : (options.gzipLevel ?? 6) });
      const file = createWriteStream(path);
      const sets = variant === 'malformed' ? [malformed] : week === 0 ? [clean] : [];
      if (variant === 'clean' && scaled) sets.push(scaled);
      const created: Sink = { path, gzip, done: once(file, 'close'), sets, rawBytes: 0, gzipBytes: 0 };
      gzip.on('data', (chunk: Buffer) => (created.gzipBytes += chunk.length));
      gzip.pipe(file);
      for (const set of sets) set.files.push(path);
      sinks.set(key, created);
      sink = created;
    }
    return sink;
  };

  const write = async (sink: Sink, bytes: Uint8Array, records: number, lines: number, bad: number) => {
    if (bytes.length === 0) return;
    sink.rawBytes += bytes.length;
    for (const set of sink.sets) {
      set.records += records;
      set.lines += lines;
      set.malformedLines += bad;
    }
    if (!sink.gzip.write(bytes)) await once(sink.gzip, 'drain');
  };

  const chunks = Math.ceil(rows / CHUNK_RECORDS);
  const requests: ChunkRequest[] = Array.from({ length: chunks }, (_, chunk) => ({
    chunk,
    seed: seed + chunk,
    take: Math.min(CHUNK_RECORDS, rows - chunk * CHUNK_RECORDS),
    weeks,
  }));
  // Workers simulate and format chunks in parallel; this thread writes them in chunk order.
  for await (const result of inOrder(requests, Math.max(1, Math.min(availableParallelism(), 4)))) {
    const shard = result.chunk % shards;
    for (const day of result.days) {
      for (let week = 0; week < weeks; week++) {
        await write(sinkFor('clean', week, day.day, shard), day.clean[week]!, day.records, day.records, 0);
      }
      await write(sinkFor('malformed', 0, day.day, shard), day.malformed, day.records, day.records + day.bad, day.bad);
    }
    for (const kind of MALFORMED_KINDS) malformedByKind[kind] += result.kinds[kind];
  }

  for (const sink of sinks.values()) sink.gzip.end();
  await Promise.all([...sinks.values()].map((s) => s.done));
  for (const sink of sinks.values()) {
    for (const set of sink.sets) {
      set.gzipBytes += sink.gzipBytes;
      set.rawBytes += sink.rawBytes;
    }
  }
  for (const set of [clean, malformed, scaled]) set?.files.sort();
  return { policyFile, clean, malformed, scaled, malformedByKind };
}

/** Runs the requests on a pool of workers, yielding results in request order with at most poolSize in flight. */
async function* inOrder(requests: ChunkRequest[], poolSize: number): AsyncGenerator<ChunkResult> {
  // A bounded heap makes each worker collect its garbage instead of growing to gigabytes.
  const workers = Array.from({ length: poolSize }, () => new Worker(new URL('./chunk-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 768 } }));
  const idle = [...workers];
  const waiting: (() => void)[] = [];
  const run = async (request: ChunkRequest): Promise<ChunkResult> => {
    while (idle.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    const worker = idle.pop()!;
    try {
      return await new Promise<ChunkResult>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage(request);
      });
    } finally {
      worker.removeAllListeners('error');
      idle.push(worker);
      waiting.shift()?.();
    }
  };
  try {
    const pending: Promise<ChunkResult>[] = [];
    let next = 0;
    while (next < requests.length && pending.length < poolSize) pending.push(run(requests[next++]!));
    while (pending.length > 0) {
      const result = await pending.shift()!;
      if (next < requests.length) pending.push(run(requests[next++]!));
      yield result;
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
