/**
 * The readers of source definitions: each turns a file's decompressed bytes into
 * source records (an object of named values, with the line it starts on and its
 * text), or problems that become rejects. Framing lines (a header, comments, a
 * Zeek `#` directive) are counted, never records.
 */
import { InputError } from '../../errors.js';
import type { Compression } from '../discover.js';
import { openContent } from '../fingerprint.js';
import type { SourceSpec } from './spec.js';

export type RecordValue = string | number | boolean | null | object;

export interface SourceRecord {
  line: number;
  /** The record's text as a reject shows it: its line, or (a JSON document) the record compacted. */
  text: string;
  values: Record<string, RecordValue> | null;
  /** Set when the record cannot be read: it becomes a reject with this reason. */
  problem: string | null;
  /** A JSON page's other top-level values (a wrapper's meeting id, say), for `$page.NAME`. */
  page: Record<string, RecordValue>;
}

export interface ReadTotals {
  framingLines: number;
}

/** Whole JSON documents are parsed in memory: past this size, JSON Lines is the way. */
export const MAX_DOCUMENT_BYTES = 512 * 1024 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

export async function* readSourceRecords(spec: SourceSpec, path: string, compression: Compression, totals: ReadTotals): AsyncGenerator<SourceRecord> {
  if (spec.format === 'json') {
    yield* readJsonDocument(spec, path, compression);
    return;
  }
  const delimited = spec.format === 'csv' ? new DelimitedReader(spec) : spec.format === 'zeek' ? new ZeekReader(spec) : null;
  for await (const [line, bytes] of lines(path, compression)) {
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      yield problem(line, lenientUtf8.decode(bytes), 'not valid UTF-8');
      continue;
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (delimited) {
      const record = delimited.read(line, text);
      if (record === null) totals.framingLines++;
      else yield* record;
      continue;
    }
    yield* jsonLineRecords(spec, line, text);
  }
}

function problem(line: number, text: string, reason: string): SourceRecord {
  return { line, text, values: null, problem: reason, page: {} };
}

/** A JSON Lines line: an object is one record, or a page (`records:` key, or an array) several. */
function* jsonLineRecords(spec: SourceSpec, line: number, text: string): Generator<SourceRecord> {
  if (text.trim() === '') return yield problem(line, text, 'blank line');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return yield problem(line, text, 'not valid JSON');
  }
  const { records, page } = recordsOf(value, spec.records);
  if (records === null) return yield problem(line, text, 'not a JSON object');
  for (const record of records) {
    if (!isObject(record)) yield problem(line, records.length === 1 ? text : JSON.stringify(record), 'not a JSON object');
    else yield { line, text: records.length === 1 && record === value ? text : JSON.stringify(record), values: record, problem: null, page };
  }
}

/** The records a parsed JSON value holds: an array's elements, a page's records array, or the object itself. */
function recordsOf(value: unknown, recordsKey: string | null): { records: unknown[] | null; page: Record<string, RecordValue> } {
  if (Array.isArray(value)) return { records: value, page: {} };
  if (!isObject(value)) return { records: null, page: {} };
  if (recordsKey !== null && Array.isArray(value[recordsKey])) {
    const { [recordsKey]: records, ...page } = value;
    return { records: records as unknown[], page };
  }
  return { records: [value], page: {} };
}

function isObject(value: unknown): value is Record<string, RecordValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A whole JSON document (an array of records, a page, or an array of pages); each record is located by the line it starts on. */
async function* readJsonDocument(spec: SourceSpec, path: string, compression: Compression): AsyncGenerator<SourceRecord> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of openContent(path, compression)) {
    size += (chunk as Buffer).length;
    if (size > MAX_DOCUMENT_BYTES) {
      throw new InputError(path, `a JSON document over ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB; save it as JSON Lines (one record or page per line) to read it`);
    }
    parts.push(chunk as Buffer);
  }
  let text: string;
  try {
    text = strictUtf8.decode(Buffer.concat(parts));
  } catch {
    throw new InputError(path, 'not valid UTF-8 (a JSON document must be UTF-8 text)');
  }
  if (text.trim() === '') return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Not one document: JSON Lines (one record or page per line) when its first line is JSON by itself.
    const lines = text.split('\n');
    const first = lines.find((l) => l.trim() !== '');
    if (first !== undefined && lines.length > 1 && parses(first)) {
      const last = lines.length - (lines[lines.length - 1] === '' ? 1 : 0);
      for (let i = 0; i < last; i++) yield* jsonLineRecords(spec, i + 1, lines[i]!.replace(/\r$/, ''));
      return;
    }
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const line = position ? lineAt(text, Number(position[1])) : undefined;
    // The line goes in the problem itself: a failed file's note shows the problem alone.
    throw new InputError(path, `${line === undefined ? '' : `line ${line}: `}not a valid JSON document: ${message.split('\n')[0]}`);
  }
  const key = spec.records;
  const isPage = (v: unknown) => key !== null && isObject(v) && Array.isArray(v[key]);
  const layout = Array.isArray(value) ? (value.length > 0 && value.every(isPage) ? 'pages' : 'array') : isPage(value) ? 'page' : 'object';
  const starts = recordStarts(text, key, layout);
  const pages = layout === 'pages' ? (value as unknown[]) : [value];
  let index = 0;
  for (const pageValue of pages) {
    const { records, page } = recordsOf(pageValue, spec.records);
    if (records === null) throw new InputError(path, 'the JSON document is not an object or an array of records', 1);
    for (const record of records) {
      const line = lineAt(text, starts[index++] ?? 0);
      const shown = JSON.stringify(record) ?? 'null';
      yield isObject(record) ? { line, text: shown, values: record, problem: null, page } : problem(line, shown, 'not a JSON object');
    }
  }
}

/**
 * The offsets where the records of a JSON document start, in document order (JSON.parse
 * gives no positions): a scan over the text that tracks strings and nesting. `layout` is
 * what the parsed document showed: an array of records, a page object whose `recordsKey`
 * array holds them, an array of such pages, or one object that is itself the record.
 */
export function recordStarts(text: string, recordsKey: string | null, layout: 'array' | 'page' | 'pages' | 'object'): number[] {
  if (layout === 'object') return [text.search(/\S/)];
  const starts: number[] = [];
  const stack: { records: boolean; object: boolean; key: string | null; expectKey: boolean }[] = [];
  const isRecordsArray = (): boolean => {
    const depth = stack.length;
    const parent = stack[depth - 1];
    if (depth === 0) return layout === 'array';
    const keyed = parent !== undefined && parent.object && parent.key === recordsKey;
    return keyed && ((layout === 'page' && depth === 1) || (layout === 'pages' && depth === 2));
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === ':') {
      i++;
    } else if (c === ',') {
      if (top?.object) top.expectKey = true;
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === '"' && top?.object && top.expectKey) {
      const end = stringEnd(text, i);
      top.key = JSON.parse(text.slice(i, end)) as string;
      top.expectKey = false;
      i = end;
    } else {
      if (top?.records) starts.push(i);
      if (c === '{' || c === '[') {
        const records = c === '[' && isRecordsArray();
        stack.push({ records, object: c === '{', key: null, expectKey: c === '{' });
        i++;
      } else if (c === '"') {
        i = stringEnd(text, i);
      } else {
        while (i < text.length && !/[\s,\]}:]/.test(text[i]!)) i++;
      }
    }
  }
  return starts;
}

function stringEnd(text: string, start: number): number {
  let j = start + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j + 1;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The file's lines as bytes, numbered from 1, without the '\n'. */
async function* lines(path: string, compression: Compression): AsyncGenerator<[number, Buffer]> {
  let line = 0;
  let pending: Buffer[] = [];
  for await (const data of openContent(path, compression)) {
    const chunk = data as Buffer;
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, i);
      yield [++line, pending.length === 0 ? piece : Buffer.concat([...pending, piece])];
      pending = [];
      start = i + 1;
    }
    if (start < chunk.length) pending.push(Buffer.from(chunk.subarray(start)));
  }
  if (pending.length > 0) yield [++line, Buffer.concat(pending)];
}

/** CSV, TSV and space-separated text with a header line (or declared columns), comments and missing-value markers. */
class DelimitedReader {
  private columns: string[] | null;
  private headerPending: boolean;

  constructor(private readonly spec: SourceSpec) {
    this.columns = spec.header === 'none' ? spec.columns : null;
    this.headerPending = spec.header !== 'none';
  }

  /** null for a framing line (header, comment, blank); else the line's record. */
  read(line: number, text: string): SourceRecord[] | null {
    if (this.spec.comment !== null && text.startsWith(this.spec.comment)) return null;
    if (text.trim() === '') return this.columns === null ? null : [problem(line, text, 'blank line')];
    const fields = splitDelimited(text, this.spec.delimiter);
    if (fields === null) return [problem(line, text, `malformed quoting (an unterminated or stray quote) in a line separated by ${delimiterName(this.spec.delimiter)}`)];
    if (this.headerPending) {
      this.headerPending = false;
      const isHeader = this.spec.header === 'first-line' || fields.every((f) => !/^-?\d/.test(f.trim()));
      if (isHeader) {
        this.columns = fields.map((f) => f.trim());
        return null;
      }
      this.columns = this.spec.columns;
    }
    const columns = this.columns;
    if (columns === null) return [problem(line, text, 'no header line before this record')];
    if (fields.length !== columns.length) {
      return [problem(line, text, `expected ${columns.length} fields separated by ${delimiterName(this.spec.delimiter)} as in the header, found ${fields.length}`)];
    }
    const values: Record<string, RecordValue> = {};
    columns.forEach((column, i) => {
      values[column] = fields[i]!;
    });
    return [{ line, text, values, problem: null, page: {} }];
  }
}

export function delimiterName(delimiter: string): string {
  const names: Record<string, string> = { '\t': 'tabs', ' ': 'spaces', ',': 'commas', ';': 'semicolons', '|': 'pipes' };
  return names[delimiter] ?? `"${delimiter}"`;
}

/** RFC 4180 fields (quotes double inside a quoted field) for any one-character delimiter; null when quoting is malformed. Runs of spaces count as one space. */
export function splitDelimited(text: string, delimiter: string): string[] | null {
  if (!text.includes('"')) return delimiter === ' ' ? text.trim().split(/ +/) : text.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return null;
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== delimiter) return null;
      i++;
    } else {
      const next = text.indexOf(delimiter, i);
      const value = next < 0 ? text.slice(i) : text.slice(i, next);
      if (value.includes('"')) return null;
      fields.push(value);
      if (next < 0) return fields;
      i = next + 1;
    }
  }
}

/**
 * Zeek's ASCII logs: `#separator`, `#unset_field`, `#empty_field` and `#fields` directives
 * (a file may hold several header blocks), tab-separated values without quoting; and Zeek's
 * JSON writer: one object per line with dotted keys such as "id.resp_h".
 */
class ZeekReader {
  private separator = '\t';
  private unset = '-';
  private empty = '(empty)';
  private columns: string[] | null = null;

  constructor(private readonly spec: SourceSpec) {}

  read(line: number, text: string): SourceRecord[] | null {
    if (text.startsWith('#')) {
      this.directive(text);
      return null;
    }
    if (text.trim() === '') return [problem(line, text, 'blank line')];
    if (text.trimStart().startsWith('{')) return [...jsonLineRecords(this.spec, line, text)];
    if (this.columns === null) return [problem(line, text, 'a record before the #fields header line')];
    const fields = text.split(this.separator);
    if (fields.length !== this.columns.length) {
      return [problem(line, text, `expected ${this.columns.length} fields as in the #fields header, found ${fields.length}`)];
    }
    const values: Record<string, RecordValue> = {};
    this.columns.forEach((column, i) => {
      const value = fields[i]!;
      values[column] = value === this.unset || value === this.empty ? null : value;
    });
    return [{ line, text, values, problem: null, page: {} }];
  }

  private directive(text: string): void {
    if (text.startsWith('#separator ')) {
      this.separator = text.slice('#separator '.length).replace(/\\x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return;
    }
    const [name, ...rest] = text.split(this.separator);
    if (name === '#unset_field' && rest[0] !== undefined) this.unset = rest[0];
    else if (name === '#empty_field' && rest[0] !== undefined) this.empty = rest[0];
    else if (name === '#fields') this.columns = rest;
  }
}
