/**
 * The vocabulary of the human reports: what summary.md and report.html are
 * made of, without saying how either format writes it.
 *
 * Design: sections.ts builds one `ReportDocument` from an AuditReport (every
 * heading, sentence, field and table column, once); markdown.ts and html.ts
 * only render it. So the model names what a piece of text *is* (a value from
 * the logs, our own wording, an identifier, an aside, a severity) and each
 * renderer decides how that kind looks and how it is escaped. Nothing here is
 * escaped yet: a renderer escapes every string it writes.
 *
 * Tables are resolved when the document is built: `table()` runs each column's
 * cell function over the rows, so a renderer sees a grid of cells and the
 * column list it came from, and cannot drop, add or reorder a column.
 */
import type { DiffStatus, Severity, Verdict } from '../detect/model.js';

/**
 * A run of text. A plain string or number is a value (from the logs, the policy
 * or computed): escaped in full everywhere. The marks say what else a piece is.
 */
export type Inline = string | number | InlineMark;

/** A sentence or cell: inline pieces written one after another, no separator added. */
export type Line = Inline[];

export type InlineMark =
  /** routeaudit's own fixed wording; made by `prose`. */
  | { kind: 'wording'; text: string }
  /** An identifier, path or field name: monospace where the format has it. */
  | { kind: 'code'; text: string }
  /** A value as the reader meets it in a table (the region `unknown`), named in prose. */
  | { kind: 'literal'; text: string }
  /** A column header named in prose. */
  | { kind: 'column-name'; text: string }
  /** An aside the eye may skip. */
  | { kind: 'muted'; content: Line }
  /** What the reader must not miss. */
  | { kind: 'alert'; content: Line }
  | { kind: 'severity'; severity: Severity }
  /** A content hash, e.g. of the policy file. */
  | { kind: 'digest'; algorithm: string; value: string }
  /** Separates items that the page stacks on separate lines. */
  | { kind: 'break' }
  /**
   * Two wordings of one statement. Only for text that the golden files fix
   * differently in each format; prefer one wording everywhere.
   */
  | { kind: 'per-format'; markdown: Line; html: Line };

/**
 * How a column's values are set: `number` is right-aligned (counts and rates),
 * `time` and `id` are kept on one line, `id` names the row's subject.
 */
export type ColumnFormat = 'text' | 'number' | 'time' | 'id';

/** One column of a table: its header, how a row becomes its cell, and how the cell is set. */
export interface Column<Row> {
  header: string;
  format?: ColumnFormat;
  cell: (row: Row) => Inline | Line;
}

export interface ResolvedColumn {
  header: string;
  format: ColumnFormat;
}

export interface Table {
  columns: ResolvedColumn[];
  /** One Line per column, in column order. */
  rows: Line[][];
  /** Said instead of the table when it has no row; null shows the empty table. */
  empty: string | null;
  /** A short table that would look lost across the full page width. */
  compact: boolean;
}

/** A labelled value: a line of the run metadata or of an incident. */
export interface Field {
  label: string;
  value: Line;
  /** What to do: the page sets it apart. */
  highlight?: boolean;
}

/** One incident told in full. */
export interface Entry {
  position: number;
  status: DiffStatus;
  severity: Severity;
  title: string;
  summary: Line;
  /** null where this entry lacks an optional field. */
  fields: (Field | null)[];
}

/** A chart that only the page draws; text formats have no equivalent and skip it. */
export type FigureName = 'incident-timeline' | 'fallback-share';

export type Block =
  /** Sentences of one paragraph. */
  | { kind: 'paragraph'; lines: Line[] }
  | { kind: 'subheading'; text: string }
  | { kind: 'table'; table: Table }
  | { kind: 'entries'; entries: Entry[] }
  | { kind: 'figure'; figure: FigureName };

export interface Section {
  /** The page's anchor for the section. */
  id: string;
  heading: string;
  blocks: Block[];
  /** The section only says that there is nothing to list ("None."). */
  nothingToList: boolean;
}

export interface ReportDocument {
  runId: string;
  verdict: {
    status: Verdict['status'];
    /** Without the 'Verdict: ' prefix. */
    headline: string;
    highestSeverity: Severity | null;
    mostUrgent: string[];
    alsoNoted: string[];
  };
  runFacts: Field[];
  /** In reading order; null where this report leaves a section out. */
  sections: (Section | null)[];
}

/**
 * A Line whose literal text is routeaudit's wording and whose interpolations are
 * values or marks: prose`windows with fewer than ${n} connected sessions`.
 */
export function prose(strings: TemplateStringsArray, ...values: (Inline | Line)[]): Line {
  const line: Line = [];
  strings.forEach((text, index) => {
    if (text !== '') line.push({ kind: 'wording', text });
    const value = values[index];
    if (value === undefined) return;
    if (Array.isArray(value)) line.push(...value);
    else line.push(value);
  });
  return line;
}

export function code(text: string): InlineMark {
  return { kind: 'code', text };
}

export function muted(content: Inline | Line): InlineMark {
  return { kind: 'muted', content: Array.isArray(content) ? content : [content] };
}

export function alert(content: Inline | Line): InlineMark {
  return { kind: 'alert', content: Array.isArray(content) ? content : [content] };
}

export function severity(value: Severity): InlineMark {
  return { kind: 'severity', severity: value };
}

export function paragraph(...lines: Line[]): Block {
  return { kind: 'paragraph', lines };
}

export function subheading(text: string): Block {
  return { kind: 'subheading', text };
}

export function table<Row>(
  columns: readonly Column<Row>[],
  rows: readonly Row[],
  options: { empty?: string; compact?: boolean } = {},
): Block {
  return {
    kind: 'table',
    table: {
      columns: columns.map((column) => ({ header: column.header, format: column.format ?? 'text' })),
      rows: rows.map((row) => columns.map((column) => asLine(column.cell(row)))),
      empty: options.empty ?? null,
      compact: options.compact ?? false,
    },
  };
}

function asLine(content: Inline | Line): Line {
  return Array.isArray(content) ? content : [content];
}

/** `values` with `separator` between them, each shown as `item` makes it. */
export function joined(values: readonly string[], item: (value: string) => Inline = (value) => value, separator: Inline = ', '): Line {
  return values.flatMap((value, index) => (index === 0 ? [item(value)] : [separator, item(value)]));
}
