/**
 * Writes the simulated attempts as log files, one per UTC day, each day in a
 * different format so that every ingest path has input: JSON Lines plain and
 * gzipped, CSV, epoch-millisecond timestamps, explicit nulls. It also plants
 * the deliberate faults (malformed lines, a record delivered twice, a file
 * delivered twice) and records where each one landed.
 */
import { gzipSync } from 'node:zlib';
import { SAMPLE_DAYS, SAMPLE_START_MS, type AttemptRecord } from './traffic.js';
import { LOG_FIELDS } from '../ingest/schema.js';

export interface SampleFile {
  /** Relative to the output folder, `/`-separated. */
  path: string;
  content: Buffer;
  /** Lines of the uncompressed text. */
  lines: number;
}

export interface LogFile extends SampleFile {
  /** Attempt records in the file, the duplicated one included; malformed lines excluded. */
  records: number;
  /** One phrase for the README: format and peculiarities. */
  description: string;
}

export type DeliberateKind = 'invalid-json' | 'missing-session-id' | 'bad-outcome' | 'bad-timestamp' | 'blank-line' | 'duplicate-record';

/** A line planted on purpose; `line` is 1-based in the uncompressed text, header included. */
export interface DeliberateLine {
  file: string;
  line: number;
  kind: DeliberateKind;
  note: string;
}

interface DayFormat {
  name: string;
  format: 'jsonl' | 'csv';
  timestamps: 'iso' | 'epoch';
  /** How an absent optional field is written in JSON: left out, or as `null`. */
  nulls: 'omit' | 'explicit';
  gzip: boolean;
  description: string;
}

const DAY_FORMATS: DayFormat[] = [
  { name: 'connections-2020-03-30.jsonl', format: 'jsonl', timestamps: 'iso', nulls: 'omit', gzip: false, description: 'JSON Lines, ISO timestamps' },
  { name: 'connections-2020-03-31.jsonl.gz', format: 'jsonl', timestamps: 'iso', nulls: 'omit', gzip: true, description: 'gzipped JSON Lines, ISO timestamps' },
  { name: 'connections-2020-04-01.jsonl.gz', format: 'jsonl', timestamps: 'iso', nulls: 'omit', gzip: true, description: 'gzipped JSON Lines, ISO timestamps' },
  { name: 'connections-2020-04-02.csv', format: 'csv', timestamps: 'iso', nulls: 'omit', gzip: false, description: 'CSV with a header row, RFC 4180 quoting, CRLF line ends' },
  {
    name: 'connections-2020-04-03.jsonl',
    format: 'jsonl',
    timestamps: 'epoch',
    nulls: 'explicit',
    gzip: false,
    description: 'JSON Lines, epoch-millisecond timestamps, absent fields written as null',
  },
];

/** Day 1's file, delivered again by the shipper under another name. */
const REDELIVERED = { day: 1, name: 'redelivered/connections-2020-03-31-resend.jsonl.gz' };

/** Where the malformed lines go: a day and a position as a fraction of that day's records. */
const MALFORMED: { day: number; at: number; kind: Exclude<DeliberateKind, 'duplicate-record'> }[] = [
  { day: 0, at: 0.4, kind: 'invalid-json' },
  { day: 2, at: 0.55, kind: 'missing-session-id' },
  { day: 3, at: 0.3, kind: 'bad-outcome' },
  { day: 4, at: 0.6, kind: 'bad-timestamp' },
  { day: 4, at: 0.85, kind: 'blank-line' },
];

const MALFORMED_NOTES: Record<Exclude<DeliberateKind, 'duplicate-record'>, string> = {
  'invalid-json': 'a record cut off mid-line (a partial write): not valid JSON',
  'missing-session-id': 'a record without session_id',
  'bad-outcome': 'outcome "ok", not one of connected, timeout, refused, error',
  'bad-timestamp': 'ts "MM/DD/YYYY hh:mm:ss AM", not ISO-8601 nor epoch milliseconds',
  'blank-line': 'an empty line',
};

// client_app is not in the log schema: the sample shows that unknown fields are ignored. Its
// clients log datacenter ids, never addresses (dc_ip is for flow logs: the Zeek sample has them).
const COLUMNS = [...LOG_FIELDS.filter((field) => field !== 'dc_ip'), 'client_app'] as const;
type Column = Exclude<(typeof LOG_FIELDS)[number], 'dc_ip'> | 'client_app';
type Fields = Record<Column, string | number | null>;

const DAY_MS = 86_400_000;

interface Entry {
  text: string;
  /** The attempt the line carries; absent for malformed lines. */
  record?: AttemptRecord;
  deliberate?: { kind: DeliberateKind; note: string };
}

export function renderLogFiles(records: readonly AttemptRecord[]): { files: LogFile[]; deliberate: DeliberateLine[] } {
  const days = DAY_FORMATS.map(() => [] as AttemptRecord[]);
  for (const record of records) {
    const day = days[Math.floor((record.tsMs - SAMPLE_START_MS) / DAY_MS)];
    if (!day) throw new Error(`record at ${new Date(record.tsMs).toISOString()} is outside the ${SAMPLE_DAYS} sample days`);
    day.push(record);
  }

  const entries = days.map((dayRecords, index) =>
    dayRecords.map((record): Entry => ({ text: formatLine(fieldsOf(record, format(index).timestamps), format(index)), record })),
  );

  // The shipper's rotation overlapped: the last attempt of day 0 opens day 1 again, identical in every field.
  const lastOfDayZero = days[0]?.at(-1);
  if (lastOfDayZero) {
    entries[1]?.unshift({
      text: formatLine(fieldsOf(lastOfDayZero, format(1).timestamps), format(1)),
      record: lastOfDayZero,
      deliberate: { kind: 'duplicate-record', note: `session ${lastOfDayZero.sessionId} attempt ${lastOfDayZero.attempt}, also the last line of ${format(0).name}` },
    });
  }

  for (const planted of MALFORMED) {
    const dayEntries = entries[planted.day] ?? [];
    const neighbour = days[planted.day]?.[Math.floor((days[planted.day]?.length ?? 0) * planted.at)];
    if (!neighbour) continue;
    dayEntries.splice(dayEntries.findIndex((entry) => entry.record === neighbour && !entry.deliberate), 0, {
      text: malformedLine(planted.kind, neighbour, format(planted.day)),
      deliberate: { kind: planted.kind, note: MALFORMED_NOTES[planted.kind] },
    });
  }

  const files: LogFile[] = [];
  const deliberate: DeliberateLine[] = [];
  entries.forEach((dayEntries, index) => {
    const day = format(index);
    const header = day.format === 'csv' ? [COLUMNS.join(',')] : [];
    dayEntries.forEach((entry, position) => {
      if (entry.deliberate) deliberate.push({ file: day.name, line: header.length + position + 1, ...entry.deliberate });
    });
    const lines = [...header, ...dayEntries.map((entry) => entry.text)];
    const newline = day.format === 'csv' ? '\r\n' : '\n';
    const text = Buffer.from(lines.map((line) => line + newline).join(''), 'utf8');
    files.push({
      path: day.name,
      content: day.gzip ? gzipSync(text, { level: 9 }) : text,
      lines: lines.length,
      records: dayEntries.filter((entry) => entry.record !== undefined).length,
      description: day.description,
    });
  });

  const original = files[REDELIVERED.day];
  if (original) {
    files.push({ ...original, path: REDELIVERED.name, description: `a byte-for-byte copy of ${original.path}, delivered again under another name` });
  }
  return { files, deliberate };
}

function format(day: number): DayFormat {
  const found = DAY_FORMATS[day];
  if (!found) throw new Error(`no file format for sample day ${day}`);
  return found;
}

function fieldsOf(record: AttemptRecord, timestamps: DayFormat['timestamps']): Fields {
  return {
    ts: timestamps === 'epoch' ? record.tsMs : isoTimestamp(record.tsMs, record.utcOffsetMinutes),
    session_id: record.sessionId,
    dc_id: record.dcId,
    outcome: record.outcome,
    tier: record.tier,
    attempt: record.attempt,
    latency_ms: record.latencyMs,
    account_id: record.accountId,
    meeting_id: record.meetingId,
    user_id: record.userId,
    client_ip: record.clientIp,
    client_country: record.clientCountry,
    traffic: record.traffic,
    client_app: record.clientApp,
  };
}

/** UTC with `Z`, or the client's local time with its offset: the same instant either way. */
export function isoTimestamp(tsMs: number, utcOffsetMinutes: number | null): string {
  if (utcOffsetMinutes === null) return new Date(tsMs).toISOString();
  const local = new Date(tsMs + utcOffsetMinutes * 60_000).toISOString().slice(0, -1);
  const magnitude = Math.abs(utcOffsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local}${utcOffsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(magnitude / 60))}:${pad(magnitude % 60)}`;
}

function formatLine(fields: Partial<Fields>, day: DayFormat): string {
  if (day.format === 'csv') return COLUMNS.map((column) => csvField(fields[column] ?? null)).join(',');
  // client_app is not a log field: a writer that spells out absent log fields still has no reason to write it.
  const present = Object.entries(fields).filter(([key, value]) => value !== null || (day.nulls === 'explicit' && key !== 'client_app'));
  return JSON.stringify(Object.fromEntries(present));
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A faulty copy of a neighbouring record, as a broken client or shipper would write it. */
function malformedLine(kind: Exclude<DeliberateKind, 'duplicate-record'>, neighbour: AttemptRecord, day: DayFormat): string {
  const fields = fieldsOf(neighbour, day.timestamps);
  switch (kind) {
    case 'invalid-json': {
      const line = formatLine(fields, day);
      return line.slice(0, Math.floor(line.length * 0.6));
    }
    case 'missing-session-id': {
      const withoutSession: Partial<Fields> = { ...fields };
      delete withoutSession.session_id;
      return formatLine(withoutSession, day);
    }
    case 'bad-outcome':
      return formatLine({ ...fields, outcome: 'ok' }, day);
    case 'bad-timestamp':
      return formatLine({ ...fields, ts: usStyleTimestamp(neighbour.tsMs) }, day);
    case 'blank-line':
      return '';
  }
}

function usStyleTimestamp(tsMs: number): string {
  const t = new Date(tsMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hour12 = t.getUTCHours() % 12 === 0 ? 12 : t.getUTCHours() % 12;
  return `${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${t.getUTCFullYear()} ${pad(hour12)}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} ${t.getUTCHours() < 12 ? 'AM' : 'PM'}`;
}
