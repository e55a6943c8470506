/**
 * From a source record to attempts in the log schema, by the definition's field
 * expressions. Values come out as text (ts as ISO-8601 UTC), so records.sql
 * validates them exactly as it validates a native log line: one set of rules.
 * A value an expression cannot read (a date that does not match its format) makes
 * the record a reject naming the field, the column and what was expected.
 */
import { LOG_FIELDS, type LogField } from '../schema.js';
import type { RecordValue, SourceRecord } from './read.js';
import type { Expression, SourceSpec } from './spec.js';
import { isoWithMicros, readIsoClock, readWallClock, toUtcIso } from './time.js';

/** Attempts of one line are numbered by part, below this (records.sql: rec = file_pos * 2^47 + line_no * 65536 + part). */
export const MAX_PARTS = 65536;

export interface TranslateContext {
  spec: SourceSpec;
  /** --timezone, or the definition's own: for wall-clock times without an offset. */
  timezone: string | null;
  /** `$file.NAME`: the named groups of file_name matched against the file's name. */
  fileValues: Record<string, string>;
}

export type Translation = { attempts: (string | null)[][] } | { problem: string; gap?: boolean } | { noZone: string };

class ValueProblem extends Error {}
class NoZone extends Error {}

/** The record's attempts, each as its LOG_FIELDS values; or why it is rejected. */
export function translate(record: SourceRecord, ordinal: number, context: TranslateContext): Translation {
  const values = record.values;
  if (values === null) return { problem: record.problem ?? 'unreadable record' };
  const reader = new ValueReader(values, record.page, context, ordinal, record.line);
  try {
    for (const rule of context.spec.reject) {
      const value = reader.column(rule.column, 'reject');
      const reason = value === null ? undefined : rule.reasons.get(value);
      if (reason !== undefined) return { problem: `${rule.column} ${value}: ${reason}`, gap: rule.gap };
    }
    const first = LOG_FIELDS.map((field) => {
      const expression = context.spec.fields[field];
      const value = expression ? reader.evaluate(expression, field) : null;
      return field === 'ts' && value !== null ? reader.zoned(value) : value;
    });
    const attempts = [first];
    const path = context.spec.path;
    if (path) {
      const listed = reader.column(path.column, 'path');
      const served = first[LOG_FIELDS.indexOf('dc_id')];
      const hops = [...new Set((listed ?? '').split(path.split).map((h) => h.trim()))].filter((h) => h !== '' && h !== served);
      if (hops.length >= MAX_PARTS) throw new ValueProblem(`path: ${hops.length} datacenters in ${path.column}, over the limit of ${MAX_PARTS - 1}`);
      for (const hop of hops) {
        attempts.push(
          LOG_FIELDS.map((field, i) =>
            field === 'dc_id' ? hop : field === 'dc_ip' ? null : field === 'outcome' ? path.outcome : field === 'traffic' ? (path.traffic ?? first[i]!) : first[i]!,
          ),
        );
      }
    }
    return { attempts };
  } catch (error) {
    if (error instanceof ValueProblem) return { problem: error.message };
    if (error instanceof NoZone) return { noZone: error.message };
    throw error;
  }
}

class ValueReader {
  constructor(
    private readonly values: Record<string, RecordValue>,
    private readonly page: Record<string, RecordValue>,
    private readonly context: TranslateContext,
    private readonly ordinal: number,
    private readonly line: number,
  ) {}

  evaluate(expression: Expression, field: LogField): string | null {
    let value = this.raw(expression, field);
    if (value !== null && expression.map !== null) value = mapped(expression.map, value);
    return value ?? expression.default;
  }

  private raw(expression: Expression, field: LogField): string | null {
    switch (expression.kind) {
      case 'column':
        return this.column(expression.column, field);
      case 'value':
        return expression.value;
      case 'first':
        for (const option of expression.of) {
          const value = this.evaluate(option, field);
          if (value !== null) return value;
        }
        return null;
      case 'template': {
        let text = '';
        for (const part of expression.parts) {
          if ('text' in part) {
            text += part.text;
            continue;
          }
          const value = part.refs.map((ref) => this.reference(ref, field)).find((v) => v !== null);
          if (value === undefined) return null;
          text += value;
        }
        return text;
      }
      case 'epoch': {
        const value = this.column(expression.column, field);
        if (value === null) return null;
        return epochToIso(value, expression.unit) ?? isoAsGiven(value) ?? this.fail(field, expression.column, value, `epoch ${UNIT_NAMES[expression.unit]}`);
      }
      case 'timestamp': {
        const parts = expression.columns.map((c) => this.column(c, field));
        if (parts.some((p) => p === null)) return null;
        const value = parts.join(' ');
        const columns = expression.columns.join(' + ');
        const clock = expression.format ? readWallClock(value, expression.format) : readIsoClock(value);
        if (clock === null) return this.fail(field, columns, value, expression.format ? `a time in the format ${expression.format.text}` : 'an ISO-8601 time');
        const iso = toUtcIso(clock, this.context.timezone);
        if (iso === 'no-zone') {
          throw new NoZone(
            `line ${this.line}: ${field} from ${columns} "${value}" has no UTC offset, and no time zone was declared: ` +
              'give it with --timezone ZONE (e.g. --timezone America/New_York, or UTC) or timezone: in the source definition',
          );
        }
        if (iso === null) return this.fail(field, columns, value, `a time that exists in ${this.context.timezone} (it falls in a daylight-saving gap)`);
        return iso;
      }
    }
  }

  /**
   * ts as any expression gave it: an ISO-8601 time without a UTC offset is read in the declared
   * zone (never a silent UTC); anything else goes to records.sql as it is (epoch ms, a time with
   * an offset, or text it will reject).
   */
  zoned(value: string): string {
    const clock = readIsoClock(value);
    if (clock === null || clock.offsetMinutes !== null) return value;
    const iso = toUtcIso(clock, this.context.timezone);
    if (iso === 'no-zone') {
      throw new NoZone(
        `line ${this.line}: ts "${value}" has no UTC offset, and no time zone was declared: ` +
          'give it with --timezone ZONE (e.g. --timezone America/New_York, or UTC) or timezone: in the source definition',
      );
    }
    return iso ?? this.fail('ts', 'ts', value, `a time that exists in ${this.context.timezone} (it falls in a daylight-saving gap)`);
  }

  /** A column's value as text; absent when missing, null, empty or a declared missing marker. */
  column(name: string, field: string): string | null {
    let value: RecordValue | undefined = this.values[name];
    // A nested value by dotted path, where no key has the dotted name itself ("id.resp_h" in Zeek JSON has).
    if (value === undefined && name.includes('.')) value = nested(this.values, name.split('.'));
    if (value === undefined || value === null) return null;
    if (typeof value === 'object') throw new ValueProblem(`${field}: ${name} holds an object or array; expected a string or number`);
    const text = String(value);
    if (text === '' || this.context.spec.missing.includes(text)) return null;
    return text;
  }

  private reference(ref: string, field: string): string | null {
    if (ref.length >= 2 && ref.startsWith("'") && ref.endsWith("'")) return ref.slice(1, -1);
    if (ref === '$record') return String(this.ordinal);
    if (ref === '$line') return String(this.line);
    if (ref.startsWith('$file.')) return this.context.fileValues[ref.slice(6)] ?? null;
    if (ref.startsWith('$page.')) {
      const value = nested(this.page, ref.slice(6).split('.'));
      return value === undefined || value === null || typeof value === 'object' || value === '' ? null : String(value);
    }
    return this.column(ref, field);
  }

  private fail(field: string, column: string, value: string, expected: string): never {
    const shown = value.length > 60 ? `${value.slice(0, 60)}…` : value;
    throw new ValueProblem(`${field}: ${column === field ? "" : `${column} `}"${shown}" is not ${expected}`);
  }
}

const UNIT_NAMES = { s: 'seconds', ms: 'milliseconds', us: 'microseconds' } as const;

function nested(values: Record<string, RecordValue>, keys: string[]): RecordValue | undefined {
  let current: RecordValue | undefined = values;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, RecordValue>)[key];
  }
  return current;
}

/** Exact match first, then case-insensitive; a value the map does not list is kept (records.sql then says what it expected). */
function mapped(map: Map<string, string | null>, value: string): string | null {
  const key = value.trim();
  if (map.has(key)) return map.get(key)!;
  for (const [from, to] of map) if (from.toLowerCase() === key.toLowerCase()) return to;
  return value;
}

/** Epoch seconds (or ms, us), with any decimals, to ISO-8601 UTC with microseconds, in exact decimal arithmetic. */
export function epochToIso(value: string, unit: 's' | 'ms' | 'us'): string | null {
  const match = /^\s*(-?)(\d{1,16})(?:\.(\d+))?\s*$/.exec(value);
  if (!match) return null;
  const scale = { s: 6, ms: 3, us: 0 }[unit];
  const fraction = (match[3] ?? '').padEnd(scale, '0');
  const micros = BigInt(match[2]! + fraction.slice(0, scale)) * (match[1] === '-' ? -1n : 1n);
  let seconds = micros / 1_000_000n;
  let rest = micros % 1_000_000n;
  if (rest < 0n) {
    seconds -= 1n;
    rest += 1_000_000n;
  }
  const utcMs = Number(seconds) * 1000;
  // Four-digit years only, as the native reader accepts.
  if (utcMs < -62_135_596_800_000 || utcMs > 253_402_300_799_000) return null;
  return isoWithMicros(utcMs, Number(rest));
}

/** Zeek's JSON writer may log ts as ISO-8601 (JSON::TS_ISO8601): such a value is taken as written, when it has an offset. */
function isoAsGiven(value: string): string | null {
  const clock = readIsoClock(value);
  if (clock === null || clock.offsetMinutes === null) return null;
  const iso = toUtcIso(clock, null);
  return iso === 'no-zone' ? null : iso;
}
