/**
 * Which source reads a file: the one named with --source (a built-in name, or a
 * definition file), else the built-in whose `recognise:` fields the file's header
 * or first record has. Two that match is an error naming both; none is the
 * native schema, as before sources existed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, UsageError } from '../../errors.js';
import type { ColumnMapping } from '../mapping.js';
import { LOG_FIELDS } from '../schema.js';
import { NATIVE_SOURCE, SOURCES_DIR, builtInSourceFiles } from './names.js';
import { splitDelimited } from './read.js';
import { loadSourceSpec, readSourceSpecFile, type Expression, type SourceSpec } from './spec.js';

export { NATIVE_SOURCE };

let builtIns: SourceSpec[] | null = null;

export function builtInSources(): SourceSpec[] {
  builtIns ??= builtInSourceFiles().map((name) => {
      const bytes = readFileSync(SOURCES_DIR + name);
    const spec = loadSourceSpec(`sources/${name}`, bytes.toString('utf8'), sha256(bytes));
    if (`${spec.name}.yaml` !== name) throw new Error(`sources/${name} names itself "${spec.name}": a built-in is named by its file`);
    return spec;
  });
  return builtIns;
}

/** --source: 'auto' when not given, null for the native schema, else the definition. */
export type SourceChoice = 'auto' | SourceSpec | null;

export function resolveSourceChoice(name: string | undefined, cwd: string): SourceChoice {
  if (name === undefined) return 'auto';
  if (name === NATIVE_SOURCE) return null;
  const builtIn = builtInSources().find((s) => s.name === name);
  if (builtIn) return builtIn;
  if (/\.ya?ml$/i.test(name)) return readSourceSpecFile(name, resolve(cwd, name), sha256);
  throw new UsageError(
    `--source "${name}": not a built-in source (${[NATIVE_SOURCE, ...builtInSources().map((s) => s.name)].join(', ')}) nor a source definition file (NAME.yaml; docs/sources.md)`,
  );
}

/** --source as the ingester takes it; --map goes with the native schema only (a source names its own columns). */
export function chooseSource(name: string | undefined, mapping: ColumnMapping, cwd: string): SourceChoice {
  const choice = resolveSourceChoice(name, cwd);
  const mapped = LOG_FIELDS.some((field) => mapping[field] !== field);
  if (mapped && choice !== null && choice !== 'auto') {
    throw new UsageError(`--map renames the fields of routeaudit's own schema; the source ${choice.name} names its columns in ${choice.file} (copy it and edit its fields: to change them)`);
  }
  return choice;
}

/**
 * The built-in source a file's first bytes show, or null (the native schema). `head` is the
 * start of the decompressed content. Keys are compared as written, CSV headers case-insensitively.
 */
export function recogniseSource(head: string, path: string): SourceSpec | null {
  const matches = builtInSources().filter((spec) => spec.recognise.length > 0 && recognises(spec, head));
  if (matches.length > 1) {
    throw new InputError(path, `looks like more than one source (${matches.map((s) => s.name).join(', ')}); say which with --source NAME`);
  }
  return matches[0] ?? null;
}

function recognises(spec: SourceSpec, head: string): boolean {
  const names = namesIn(spec, head);
  if (spec.format === 'csv') {
    const lower = new Set([...names].map((n) => n.toLowerCase()));
    return spec.recognise.every((n) => lower.has(n.toLowerCase()));
  }
  return spec.recognise.every((n) => names.has(n));
}

/** The field names a head shows to a reader of this format: a header's columns, or a JSON record's keys. */
function namesIn(spec: SourceSpec, head: string): Set<string> {
  const lines = head.split('\n').map((l) => l.replace(/\r$/, ''));
  if (spec.format === 'zeek') {
    // The separator is the file's own (#separator \x09 by default), as the reader takes it.
    const declared = lines.find((l) => l.startsWith('#separator '));
    const separator = declared ? declared.slice('#separator '.length).replace(/\\x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))) : '\t';
    const fields = lines.find((l) => l.startsWith('#fields'));
    if (fields) return new Set(fields.split(separator).slice(1));
  }
  if (spec.format === 'csv') {
    const first = lines.find((l) => l.trim() !== '' && (spec.comment === null || !l.startsWith(spec.comment)));
    return new Set(first === undefined ? [] : (splitDelimited(first, spec.delimiter) ?? []).map((f) => f.trim()));
  }
  // JSON: the keys written in the head, at any depth (a page's records are nested in it).
  return new Set([...head.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map((m) => m[1]!));
}

/** The native schema as a definition, for a .json file that holds one JSON document (an array of records). */
export function nativeDocumentSource(mapping: ColumnMapping): SourceSpec {
  const fields = Object.fromEntries(
    LOG_FIELDS.map((field): [string, Expression] => {
      const column = mapping[field].startsWith('$.') ? mapping[field].slice(2) : mapping[field];
      return [field, { kind: 'column', column, map: null, default: null }];
    }),
  );
  return {
    name: NATIVE_SOURCE,
    title: 'routeaudit connection log, as one JSON document',
    documentation: [],
    format: 'json',
    delimiter: ',',
    header: 'first-line',
    columns: null,
    comment: null,
    missing: [],
    records: null,
    recognise: [],
    timezone: 'UTC',
    fileName: null,
    lacks: [],
    fields,
    path: null,
    reject: [],
    file: '(built in)',
    sha256: NATIVE_SOURCE,
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
