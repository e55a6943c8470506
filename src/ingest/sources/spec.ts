/**
 * A source definition (docs/sources.md): how to read one kind of log that is not
 * in routeaudit's own schema, as a YAML file. The built-in sources are such files
 * (sources/*.yaml), so a format people have needs no TypeScript.
 *
 * Validation works on YAML's syntax tree, so that each problem names the line of
 * the node at fault; all problems are thrown together as one SourceError.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { SourceError, type PolicyProblem } from '../../errors.js';
import { CAPABILITIES, LOG_FIELDS, REQUIRED_FIELDS, isLogField, type Capability, type LogField } from '../schema.js';
import { isTimeZone, parseTimeFormat, type TimeFormat } from './time.js';

export type SourceFormat = 'jsonl' | 'json' | 'csv' | 'zeek';


/** Where a value comes from; `map` and `default` may follow any of them. */
export type Expression = (
  | { kind: 'column'; column: string }
  | { kind: 'value'; value: string }
  | { kind: 'first'; of: Expression[] }
  | { kind: 'template'; parts: TemplatePart[] }
  | { kind: 'epoch'; column: string; unit: 's' | 'ms' | 'us' }
  | { kind: 'timestamp'; columns: string[]; format: TimeFormat | null }
) & { map: Map<string, string | null> | null; default: string | null };

/** A `{...}` reference in a template: the first present of its alternatives (columns, `$file.NAME`, `$page.NAME`, `$record`). */
export type TemplatePart = { text: string } | { refs: string[] };

export interface SourcePath {
  column: string;
  split: string;
  outcome: string;
  traffic: string | null;
}

/** Records the source itself marks as holding no attempt (a VPC NODATA record): rejects with the reason given. */
export interface RejectRule {
  column: string;
  reasons: Map<string, string>;
  /** The source says records are missing here (VPC SKIPDATA): an input problem of the run, not only a reject. */
  gap: boolean;
}

export interface SourceSpec {
  name: string;
  title: string;
  documentation: string[];
  format: SourceFormat;
  delimiter: string;
  /** first-line: the first line names the columns; auto: it does unless it holds a number (else `columns`); none: `columns`. */
  header: 'first-line' | 'auto' | 'none';
  columns: string[] | null;
  comment: string | null;
  missing: string[];
  records: string | null;
  recognise: string[];
  timezone: string | null;
  fileName: RegExp | null;
  lacks: Capability[];
  fields: Partial<Record<LogField, Expression>>;
  path: SourcePath | null;
  reject: RejectRule[];
  /** The definition's own file, for messages; its SHA-256 tells readings by different versions apart. */
  file: string;
  sha256: string;
}

const TOP_KEYS = ['source', 'title', 'documentation', 'format', 'delimiter', 'header', 'columns', 'comment', 'missing', 'records',
  'recognise', 'timezone', 'file_name', 'lacks', 'fields', 'path', 'reject'];
const EXPRESSION_KINDS = ['column', 'value', 'first', 'template', 'epoch', 'timestamp'];
const MODIFIERS = ['map', 'default'];
const PATH_KEYS = ['column', 'split', 'outcome', 'traffic'];
const FORMATS: readonly SourceFormat[] = ['jsonl', 'json', 'csv', 'zeek'];

export function loadSourceSpec(file: string, text: string, sha256: string): SourceSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, schema: 'core' });
  const problems: PolicyProblem[] = [];
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : undefined);
  if (doc.errors.length > 0) {
    throw new SourceError(file, doc.errors.map((e) => ({ path: '', message: `invalid YAML: ${e.message}`, line: lineCounter.linePos(e.pos[0]).line })));
  }
  const reader = new TreeReader(doc, problems, lineOf);
  const spec = reader.spec(file, sha256);
  if (problems.length > 0 || spec === null) throw new SourceError(file, problems);
  return spec;
}

export function readSourceSpecFile(file: string, absolutePath: string, sha256: (bytes: Buffer) => string): SourceSpec {
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolutePath);
  } catch (error) {
    throw new SourceError(file, [{ path: '', message: `cannot read the source definition: ${(error as Error).message.split('\n')[0]}` }]);
  }
  return loadSourceSpec(file, bytes.toString('utf8'), sha256(bytes));
}

class TreeReader {
  constructor(
    private readonly doc: Document,
    private readonly problems: PolicyProblem[],
    private readonly lineOf: (node: Node | null | undefined) => number | undefined,
  ) {}

  private fail(path: string, message: string, node: Node | null | undefined): void {
    const line = this.lineOf(node);
    this.problems.push(line === undefined ? { path, message } : { path, message, line });
  }

  spec(file: string, sha256: string): SourceSpec | null {
    const root = this.doc.contents;
    if (!isMap(root)) {
      this.fail('', 'a source definition is a mapping of keys (source, format, fields, ...)', root);
      return null;
    }
    const entries = this.entries(root, '', TOP_KEYS);
    const text = (key: string, fallback: string | null = null) => this.scalarText(entries.get(key), key, fallback);
    const name = text('source');
    if (name !== null && !/^[a-z0-9][a-z0-9-]*$/.test(name)) this.fail('source', `"${name}" is not a source name (lower-case letters, digits and "-")`, entries.get('source'));
    if (!entries.has('source')) this.fail('source', 'missing: the name of the source, e.g. source: my-proxy', root);
    const format = text('format');
    if (format !== null && !(FORMATS as readonly string[]).includes(format)) this.fail('format', `"${format}" is not one of ${FORMATS.join(', ')}`, entries.get('format'));
    if (!entries.has('format')) this.fail('format', `missing: one of ${FORMATS.join(', ')}`, root);
    const delimiter = this.delimiter(entries.get('delimiter'), format);
    const header = text('header', 'first-line');
    if (header !== 'first-line' && header !== 'auto' && header !== 'none') this.fail('header', `"${header}" is not one of first-line, auto, none`, entries.get('header'));
    const columns = entries.has('columns') ? this.textList(entries.get('columns'), 'columns') : null;
    if (format === 'csv' && header !== 'first-line' && columns === null) this.fail('columns', `header: ${header} needs the column names in columns:`, entries.get('header'));
    const fileNameText = text('file_name');
    let fileName: RegExp | null = null;
    if (fileNameText !== null) {
      try {
        fileName = new RegExp(fileNameText);
      } catch (error) {
        this.fail('file_name', `not a regular expression: ${(error as Error).message}`, entries.get('file_name'));
      }
    }
    const timezone = text('timezone');
    if (timezone !== null && !isTimeZone(timezone)) this.fail('timezone', `"${timezone}" is not a time zone (an IANA name such as Europe/Berlin, or UTC)`, entries.get('timezone'));
    const lacks = entries.has('lacks') ? this.textList(entries.get('lacks'), 'lacks') : [];
    for (const [i, capability] of lacks.entries()) {
      if (!(CAPABILITIES as readonly string[]).includes(capability)) this.fail(`lacks[${i}]`, `"${capability}" is not one of ${CAPABILITIES.join(', ')}`, entries.get('lacks'));
    }
    const fields = this.fields(entries.get('fields'), root);
    const path = entries.has('path') ? this.path(entries.get('path')) : null;
    const reject = entries.has('reject') ? this.rejectRules(entries.get('reject')) : [];
    const recognise = entries.has('recognise') ? this.textList(entries.get('recognise'), 'recognise') : [];
    return {
      name: name ?? '',
      title: text('title', name ?? '') ?? '',
      documentation: entries.has('documentation') ? this.textList(entries.get('documentation'), 'documentation') : [],
      format: (format ?? 'jsonl') as SourceFormat,
      delimiter,
      header: header === 'none' || header === 'auto' ? header : 'first-line',
      columns,
      comment: text('comment'),
      missing: entries.has('missing') ? this.textList(entries.get('missing'), 'missing') : [],
      records: text('records'),
      recognise,
      timezone,
      fileName,
      lacks: lacks as Capability[],
      fields,
      path,
      reject,
      file,
      sha256,
    };
  }

  /** `reject: [{ column: log-status, values: { NODATA: why, ... } }]`. */
  private rejectRules(node: Node | null | undefined): RejectRule[] {
    if (!isSeq(node)) {
      this.fail('reject', 'expected a list of { column, values }', node);
      return [];
    }
    return node.items.flatMap((item, i) => {
      const entries = this.entries(item as Node, `reject[${i}]`, ['column', 'values', 'gap']);
      const gap = this.scalarText(entries.get('gap'), `reject[${i}].gap`, 'false');
      if (gap !== 'true' && gap !== 'false') this.fail(`reject[${i}].gap`, `expected true or false, found "${gap}"`, entries.get('gap'));
      const column = this.scalarText(entries.get('column'), `reject[${i}].column`, null);
      const reasons = this.valueMap(entries.get('values'), `reject[${i}].values`);
      if (column === null || reasons === null) {
        this.fail(`reject[${i}]`, 'needs a column and values (source value: the reason it holds no attempt)', item as Node);
        return [];
      }
      return [{ column, reasons: new Map([...reasons].filter((e): e is [string, string] => e[1] !== null)), gap: gap === 'true' }];
    });
  }

  private entries(node: Node, path: string, allowed: readonly string[]): Map<string, Node | null> {
    const result = new Map<string, Node | null>();
    if (!isMap(node)) return result;
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : null;
      const at = path ? `${path}.${key ?? '?'}` : (key ?? '?');
      if (key === null) this.fail(at, 'keys must be plain names', keyNode);
      else if (!allowed.includes(key)) this.fail(at, `unknown key "${key}" (expected one of: ${allowed.join(', ')})`, keyNode);
      else if (result.has(key)) this.fail(at, `"${key}" is given twice`, keyNode);
      else result.set(key, pair.value as Node | null);
    }
    return result;
  }

  private scalarText(node: Node | null | undefined, path: string, fallback: string | null): string | null {
    if (node === undefined) return fallback;
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
      this.fail(path, 'expected a single value', node);
      return fallback;
    }
    return String(node.value);
  }

  private textList(node: Node | null | undefined, path: string): string[] {
    if (isScalar(node) && node.value !== null) return [String(node.value)];
    if (!isSeq(node)) {
      this.fail(path, 'expected a list of values', node);
      return [];
    }
    return node.items.flatMap((item, i) => {
      const value = this.scalarText(item as Node, `${path}[${i}]`, null);
      return value === null ? [] : [value];
    });
  }

  private delimiter(node: Node | null | undefined, format: string | null): string {
    const fallback = format === 'zeek' ? '\t' : ',';
    const value = this.scalarText(node, 'delimiter', fallback) ?? fallback;
    const named: Record<string, string> = { tab: '\t', '\\t': '\t', space: ' ', comma: ',', semicolon: ';', pipe: '|' };
    const delimiter = named[value] ?? value;
    if ([...delimiter].length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      this.fail('delimiter', `"${value}" is not one character (or tab, space, comma, semicolon, pipe), nor a quote or line break`, node);
      return fallback;
    }
    return delimiter;
  }

  private fields(node: Node | null | undefined, root: Node): Partial<Record<LogField, Expression>> {
    const fields: Partial<Record<LogField, Expression>> = {};
    if (node === undefined) {
      this.fail('fields', `missing: an expression for each log field the source gives (${REQUIRED_FIELDS.join(', ')} at least)`, root);
      return fields;
    }
    if (!isMap(node)) {
      this.fail('fields', 'expected a mapping of log field to expression', node);
      return fields;
    }
    for (const [name, value] of this.entries(node, 'fields', LOG_FIELDS)) {
      if (!isLogField(name)) continue;
      const expression = this.expression(value, `fields.${name}`);
      if (expression) fields[name] = expression;
    }
    for (const required of REQUIRED_FIELDS) {
      if (!(required in fields) && !this.problems.some((p) => p.path.startsWith(`fields.${required}`))) {
        this.fail(`fields.${required}`, `missing: "${required}" is a required log field`, node);
      }
    }
    return fields;
  }

  private expression(node: Node | null | undefined, path: string): Expression | null {
    // A bare value is a column name: `session_id: uid`.
    if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
      return { kind: 'column', column: String(node.value), map: null, default: null };
    }
    if (!isMap(node)) {
      this.fail(path, `expected a column name or one of: ${EXPRESSION_KINDS.join(', ')}`, node);
      return null;
    }
    const entries = this.entries(node, path, [...EXPRESSION_KINDS, 'unit', 'format', ...MODIFIERS]);
    const kinds = EXPRESSION_KINDS.filter((k) => entries.has(k));
    if (kinds.length !== 1) {
      this.fail(path, kinds.length === 0 ? `expected one of: ${EXPRESSION_KINDS.join(', ')}` : `give one of ${kinds.join(', ')}, not several`, node);
      return null;
    }
    const kind = kinds[0]!;
    const at = `${path}.${kind}`;
    const body = entries.get(kind);
    const modifiers = { map: this.valueMap(entries.get('map'), `${path}.map`), default: this.scalarText(entries.get('default'), `${path}.default`, null) };
    if (kind !== 'epoch' && entries.has('unit')) this.fail(`${path}.unit`, 'unit goes with epoch', entries.get('unit'));
    if (kind !== 'timestamp' && entries.has('format')) this.fail(`${path}.format`, 'format goes with timestamp', entries.get('format'));
    switch (kind) {
      case 'column':
        return { kind, column: this.scalarText(body, at, '') ?? '', ...modifiers };
      case 'value':
        return { kind, value: this.scalarText(body, at, '') ?? '', ...modifiers };
      case 'first': {
        if (!isSeq(body)) {
          this.fail(at, 'expected a list of expressions', body);
          return null;
        }
        const of = body.items.map((item, i) => this.expression(item as Node, `${at}[${i}]`)).filter((e) => e !== null);
        return { kind, of, ...modifiers };
      }
      case 'template':
        return { kind, parts: this.template(this.scalarText(body, at, '') ?? '', at, body), ...modifiers };
      case 'epoch': {
        const unit = this.scalarText(entries.get('unit'), `${path}.unit`, 's');
        if (unit !== 's' && unit !== 'ms' && unit !== 'us') this.fail(`${path}.unit`, `"${unit}" is not one of s, ms, us`, entries.get('unit'));
        return { kind, column: this.scalarText(body, at, '') ?? '', unit: unit === 'ms' || unit === 'us' ? unit : 's', ...modifiers };
      }
      case 'timestamp': {
        const columns = this.textList(body, at);
        if (columns.length < 1 || columns.length > 2) this.fail(at, 'expected one column, or two (a date column and a time column)', body);
        const formatText = this.scalarText(entries.get('format'), `${path}.format`, null);
        let format: TimeFormat | null = null;
        if (formatText !== null) {
          try {
            format = parseTimeFormat(formatText);
          } catch (error) {
            this.fail(`${path}.format`, (error as Error).message, entries.get('format'));
          }
        }
        return { kind, columns, format, ...modifiers };
      }
      default:
        return null;
    }
  }

  private template(text: string, path: string, node: Node | null | undefined): TemplatePart[] {
    const parts: TemplatePart[] = [];
    const pattern = /\{([^{}]*)\}/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      if (match.index > last) parts.push({ text: text.slice(last, match.index) });
      const refs = match[1]!.split('|').map((r) => r.trim());
      if (refs.some((r) => r === '')) this.fail(path, `"{${match[1]}}": an empty reference`, node);
      parts.push({ refs });
      last = match.index + match[0].length;
    }
    if (last < text.length) parts.push({ text: text.slice(last) });
    if (parts.some((p) => 'text' in p && /[{}]/.test(p.text))) this.fail(path, 'unbalanced { or } (a reference is {column} or {a|b})', node);
    if (!parts.some((p) => 'refs' in p)) this.fail(path, 'a template refers to at least one {column}; for a constant, use value:', node);
    return parts;
  }

  private valueMap(node: Node | null | undefined, path: string): Map<string, string | null> | null {
    if (node === undefined) return null;
    if (!isMap(node)) {
      this.fail(path, 'expected a mapping of source value to log value', node);
      return null;
    }
    const map = new Map<string, string | null>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : null;
      const value = pair.value as Node | null;
      if (key === null) this.fail(path, 'keys must be plain values', pair.key as Node);
      else if (map.has(key)) this.fail(`${path}.${key}`, `"${key}" is given twice`, pair.key as Node);
      else if (isScalar(value) && (value.value === null || typeof value.value !== 'object')) map.set(key, value.value === null ? null : String(value.value));
      else this.fail(`${path}.${key}`, 'expected a single value (or null for absent)', value);
    }
    return map;
  }

  private path(node: Node | null | undefined): SourcePath | null {
    if (!isMap(node)) {
      this.fail('path', 'expected column, split, outcome (and traffic)', node);
      return null;
    }
    const entries = this.entries(node, 'path', PATH_KEYS);
    const column = this.scalarText(entries.get('column'), 'path.column', null);
    if (column === null) this.fail('path.column', 'missing: the column listing the datacenters on the path', node);
    return {
      column: column ?? '',
      split: this.scalarText(entries.get('split'), 'path.split', ';') ?? ';',
      outcome: this.scalarText(entries.get('outcome'), 'path.outcome', 'connected') ?? 'connected',
      traffic: this.scalarText(entries.get('traffic'), 'path.traffic', null),
    };
  }
}
