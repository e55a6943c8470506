/**
 * One chunk of benchmark traffic (see generate.ts): simulated with the sample's
 * own model, cut to exactly CHUNK_RECORDS records (so every chunk's share of
 * the rows is known before it is simulated, and chunks run in parallel), and
 * formatted as JSON lines per UTC day: the clean lines for each week, and week
 * 0 with planted bad lines.
 */
import { isoTimestamp } from '#routeaudit/sample/files.js';
import { Random } from '#routeaudit/sample/random.js';
import { SAMPLE_DAYS, SAMPLE_START_MS, simulateTraffic, type AttemptRecord } from '#routeaudit/sample/traffic.js';

/** Sessions simulated per chunk: about 80,000 records, of which CHUNK_RECORDS are kept. */
const CHUNK_SESSIONS = 50_000;
export const CHUNK_RECORDS = 75_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** One planted bad line after every 99 records on average: 1% of the lines. */
const MALFORMED_ODDS = 1 / 99;

export const MALFORMED_KINDS = ['truncated', 'missing-session-id', 'bad-outcome', 'bad-timestamp', 'blank', 'object-field', 'epoch-seconds'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export interface ChunkRequest {
  chunk: number;
  seed: number;
  take: number;
  weeks: number;
}

export interface ChunkDay {
  day: number;
  records: number;
  /** Per week: the day's lines, newline-terminated, UTF-8 (transferred, not copied, to the writer). */
  clean: Uint8Array[];
  /** Week 0's lines with the planted bad ones. */
  malformed: Uint8Array;
  bad: number;
}

export interface ChunkResult {
  chunk: number;
  days: ChunkDay[];
  kinds: Record<MalformedKind, number>;
}

/** The buffers a result holds, to transfer them to the writing thread. */
export function transferables(result: ChunkResult): ArrayBuffer[] {
  return result.days.flatMap((d) => [...d.clean, d.malformed].map((b) => b.buffer as ArrayBuffer));
}

export function renderChunk(request: ChunkRequest): ChunkResult {
  const random = new Random(request.seed ^ 0x5eed);
  const records = keepRecords(simulateTraffic({ sessions: CHUNK_SESSIONS, seed: request.seed }).records, request.take, random);
  const kinds = Object.fromEntries(MALFORMED_KINDS.map((k) => [k, 0])) as Record<MalformedKind, number>;
  const byDay: AttemptRecord[][] = Array.from({ length: SAMPLE_DAYS }, () => []);
  for (const record of records) byDay[Math.floor((record.tsMs - SAMPLE_START_MS) / DAY_MS)]!.push(record);
  const days: ChunkDay[] = [];
  for (const [day, dayRecords] of byDay.entries()) {
    if (dayRecords.length === 0) continue;
    const clean: Uint8Array[] = [];
    for (let week = 0; week < request.weeks; week++) {
      const prefix = `${week > 0 ? `w${week}-` : ''}${request.chunk.toString(36)}-`;
      let text = '';
      for (const record of dayRecords) text += jsonLine(record, prefix, week * WEEK_MS) + '\n';
      clean.push(Buffer.from(text));
    }
    let malformed = '';
    let bad = 0;
    const prefix = `${request.chunk.toString(36)}-`;
    for (const record of dayRecords) {
      const line = jsonLine(record, prefix, 0);
      malformed += line + '\n';
      if (random.chance(MALFORMED_ODDS)) {
        const kind = random.pick(MALFORMED_KINDS);
        kinds[kind]++;
        bad++;
        malformed += malformedLine(kind, record, prefix, line) + '\n';
      }
    }
    days.push({ day, records: dayRecords.length, clean, malformed: Buffer.from(malformed), bad });
  }
  return { chunk: request.chunk, days, kinds };
}

/** Exactly `take` records: whole sessions in a seeded random order, the last one possibly cut; time order kept. */
function keepRecords(records: AttemptRecord[], take: number, random: Random): AttemptRecord[] {
  if (records.length < take) throw new Error(`a chunk simulated ${records.length} records, fewer than the ${take} needed`);
  const perSession = new Map<string, number>();
  for (const r of records) perSession.set(r.sessionId, (perSession.get(r.sessionId) ?? 0) + 1);
  const kept = new Set<string>();
  let total = 0;
  for (const id of random.shuffled([...perSession.keys()])) {
    if (total >= take) break;
    kept.add(id);
    total += perSession.get(id)!;
  }
  const out: AttemptRecord[] = [];
  for (const r of records) {
    if (out.length === take) break;
    if (kept.has(r.sessionId)) out.push(r);
  }
  return out;
}

interface Fields {
  ts: string | number;
  session_id?: string;
  dc_id: string | { id: string };
  outcome: string;
  tier?: string;
  attempt: number;
  latency_ms: number;
  account_id?: string;
  meeting_id: string;
  user_id: string;
  client_ip?: string;
  client_country?: string;
  traffic: string;
  client_app?: string;
}

function fields(r: AttemptRecord, prefix: string, shiftMs: number): Fields {
  const f: Fields = {
    ts: isoTimestamp(r.tsMs + shiftMs, r.utcOffsetMinutes),
    session_id: prefix + r.sessionId,
    dc_id: r.dcId,
    outcome: r.outcome,
    attempt: r.attempt,
    latency_ms: r.latencyMs,
    meeting_id: r.meetingId,
    user_id: r.userId,
    traffic: r.traffic,
  };
  // Absent fields are left out, in the schema's key order as the sample writes them.
  const ordered: Fields = { ts: f.ts, session_id: f.session_id, dc_id: f.dc_id, outcome: f.outcome } as Fields;
  if (r.tier !== null) ordered.tier = r.tier;
  ordered.attempt = f.attempt;
  ordered.latency_ms = f.latency_ms;
  if (r.accountId !== null) ordered.account_id = r.accountId;
  ordered.meeting_id = f.meeting_id;
  ordered.user_id = f.user_id;
  if (r.clientIp !== null) ordered.client_ip = r.clientIp;
  if (r.clientCountry !== null) ordered.client_country = r.clientCountry;
  ordered.traffic = f.traffic;
  if (r.clientApp !== null) ordered.client_app = r.clientApp;
  return ordered;
}

const PLAIN = /^[^"\\\u0000-\u001f\u007f-\uffff]*$/;
const str = (s: string) => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

/** JSON.stringify(fields(...)), written out by hand: the generator's hot loop. */
function jsonLine(r: AttemptRecord, prefix: string, shiftMs: number): string {
  let line = `{"ts":"${isoTimestamp(r.tsMs + shiftMs, r.utcOffsetMinutes)}","session_id":${str(prefix + r.sessionId)},"dc_id":${str(r.dcId)},"outcome":"${r.outcome}"`;
  if (r.tier !== null) line += `,"tier":"${r.tier}"`;
  line += `,"attempt":${r.attempt},"latency_ms":${r.latencyMs}`;
  if (r.accountId !== null) line += `,"account_id":${str(r.accountId)}`;
  line += `,"meeting_id":${str(r.meetingId)},"user_id":${str(r.userId)}`;
  if (r.clientIp !== null) line += `,"client_ip":${str(r.clientIp)}`;
  if (r.clientCountry !== null) line += `,"client_country":${str(r.clientCountry)}`;
  line += `,"traffic":"${r.traffic}"`;
  if (r.clientApp !== null) line += `,"client_app":${str(r.clientApp)}`;
  return line + '}';
}

/** A bad copy of the record just written, as a broken client or shipper would write it. */
function malformedLine(kind: MalformedKind, r: AttemptRecord, prefix: string, line: string): string {
  const f = fields(r, prefix, 0);
  switch (kind) {
    case 'truncated':
      return line.slice(0, Math.floor(line.length * 0.6));
    case 'missing-session-id':
      delete f.session_id;
      return JSON.stringify(f);
    case 'bad-outcome':
      return JSON.stringify({ ...f, outcome: 'ok' });
    case 'bad-timestamp':
      return JSON.stringify({ ...f, ts: new Date(r.tsMs).toUTCString() });
    case 'blank':
      return '';
    case 'object-field':
      return JSON.stringify({ ...f, dc_id: { id: r.dcId } });
    case 'epoch-seconds':
      return JSON.stringify({ ...f, ts: Math.floor(r.tsMs / 1000) });
  }
}
