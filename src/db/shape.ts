/**
 * The typed boundary between a .sql file and the TypeScript that reads it: one
 * RowShape per result, naming each column and its kind. Database.rows checks a
 * result's columns against the shape once per query, so a column missing,
 * renamed or of another type in a .sql file is an error naming the file and the
 * column, never an `undefined` that surfaces later in a report. Nullability is
 * the shape's promise (`text?`), not checked per row.
 */
import { QueryFileError } from '../errors.js';
import type { ColumnInfo } from './database.js';

type KindMap = {
  text: string;
  'text?': string | null;
  integer: number;
  'integer?': number | null;
  number: number;
  'number?': number | null;
  boolean: boolean;
  'boolean?': boolean | null;
  /** ISO-8601 UTC text (src/db converts every timestamp). */
  timestamp: string;
  'timestamp?': string | null;
  'text[]': string[];
  'text[]?': string[] | null;
  /** A list of structs, read as plain objects; the reader types them. */
  'struct[]': Record<string, unknown>[];
};

export type ColumnKind = keyof KindMap;
/** A shape's row. A column typed optional (a shape built from a list, whose type cannot name each column) may be undefined. */
export type RowOf<C extends Record<string, ColumnKind>> = { [K in keyof C]: KindMap[Exclude<C[K], undefined>] };

export interface RowShape<C extends Record<string, ColumnKind> = Record<string, ColumnKind>> {
  /** What the rows are, for messages: "a session finding". */
  readonly name: string;
  readonly columns: C;
}

export function rowShape<const C extends Record<string, ColumnKind>>(name: string, columns: C): RowShape<C> {
  return { name, columns };
}

// By DuckDB's type names (ColumnInfo.type), so that this module needs nothing from the driver.
const INTEGER = /^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/;
const ACCEPTED: Record<string, { test: (type: string) => boolean; expected: string }> = {
  text: { test: (t) => t === 'VARCHAR' || t.startsWith('ENUM('), expected: 'text (VARCHAR)' },
  integer: { test: (t) => INTEGER.test(t), expected: 'an integer' },
  number: { test: (t) => INTEGER.test(t) || t === 'FLOAT' || t === 'DOUBLE' || t.startsWith('DECIMAL'), expected: 'a number' },
  boolean: { test: (t) => t === 'BOOLEAN', expected: 'a BOOLEAN' },
  timestamp: { test: (t) => t === 'TIMESTAMP' || t === 'TIMESTAMP WITH TIME ZONE', expected: 'a TIMESTAMP' },
  'text[]': { test: (t) => t === 'VARCHAR[]', expected: 'a list of text (VARCHAR[])' },
  'struct[]': { test: (t) => t.startsWith('STRUCT(') && t.endsWith(')[]'), expected: 'a list of structs' },
};

/**
 * The problems of a result's columns against a shape: each shape column must be
 * there with a type of its kind (DuckDB types a bare NULL as INTEGER: a query
 * casts it, `NULL::VARCHAR`); `exact` also refuses columns the shape does not name.
 */
export function shapeProblems(shape: RowShape, columns: readonly ColumnInfo[], exact = false): string[] {
  const problems: string[] = [];
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const [name, kind] of Object.entries(shape.columns)) {
    const column = byName.get(name);
    if (column === undefined) {
      problems.push(`lacks the column "${name}"`);
      continue;
    }
    const accepted = ACCEPTED[kind.replace(/\?$/, '')]!;
    if (!accepted.test(column.type)) {
      problems.push(`has the column "${name}" as ${column.type}, expected ${accepted.expected}`);
    }
  }
  if (exact) {
    for (const column of columns) if (!(column.name in shape.columns)) problems.push(`has the column "${column.name}", which ${shape.name} does not have`);
  }
  return problems;
}

/** A .sql file whose result does not have the shape its reader expects: a fault of the file, not of the input. */
export class ShapeError extends QueryFileError {
  override name = 'ShapeError';
  constructor(file: string, shapeName: string, readonly problems: readonly string[]) {
    super(file, `its result is not ${shapeName}: it ${problems.join('; it ')}`);
  }
}
