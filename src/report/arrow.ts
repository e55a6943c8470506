/**
 * Query results as an Arrow IPC stream, so `routeaudit query --format arrow`
 * pipes into pandas, Polars or another DuckDB. Timestamps become UTC
 * millisecond timestamps; nested values become their JSON text.
 */
import { Bool, DateDay, Float64, Int32, Int64, Table, TimestampMillisecond, Utf8, tableToIPC, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import type { QueryResult } from '../db/database.js';

type Kind = 'bool' | 'int32' | 'int64' | 'float' | 'timestamp' | 'date' | 'text';

const KIND_BY_DUCKDB_TYPE: Record<string, Kind> = {
  BOOLEAN: 'bool',
  TINYINT: 'int32',
  SMALLINT: 'int32',
  INTEGER: 'int32',
  UTINYINT: 'int32',
  USMALLINT: 'int32',
  BIGINT: 'int64',
  UINTEGER: 'int64',
  HUGEINT: 'int64',
  UBIGINT: 'int64',
  FLOAT: 'float',
  DOUBLE: 'float',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  DATE: 'date',
};

export function toArrowIpc(result: QueryResult): Uint8Array {
  const vectors: Record<string, Vector> = {};
  for (const column of result.columns) {
    const kind = KIND_BY_DUCKDB_TYPE[column.type] ?? (column.type.startsWith('DECIMAL') ? 'float' : 'text');
    const values = result.rows.map((row) => row[column.name] ?? null);
    vectors[column.name] = vectorFromArray(values.map((v) => convert(kind, v)), arrowType(kind)) as Vector;
  }
  return tableToIPC(new Table(vectors), 'stream');
}

function arrowType(kind: Kind): DataType {
  switch (kind) {
    case 'bool':
      return new Bool();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float':
      return new Float64();
    case 'timestamp':
      return new TimestampMillisecond('UTC');
    case 'date':
      return new DateDay();
    case 'text':
      return new Utf8();
  }
}

function convert(kind: Kind, value: unknown): unknown {
  if (value === null) return null;
  switch (kind) {
    case 'int64':
      return BigInt(value as number);
    case 'timestamp':
      return Date.parse(value as string);
    case 'date':
      return new Date(`${value as string}T00:00:00Z`);
    case 'text':
      return typeof value === 'string' ? value : JSON.stringify(value);
    default:
      return value;
  }
}
