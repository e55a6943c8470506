/**
 * The shape of every result ingest reads from SQL (queries/ingest), one
 * definition each; Database.rows checks a result against its shape once per
 * query (src/db/shape.ts).
 */
import { rowShape } from '../db/shape.js';
import { LOG_FIELDS, REQUIRED_FIELDS, type LogField } from './schema.js';

/** The registry entry of the file at place i of a lookup, found by its stat or its content (stat-cache-lookup.sql, registry-lookup.sql). */
export const REGISTRY_ENTRY_ROW = rowShape('a registry entry', { i: 'integer', file_id: 'integer', path: 'text', source: 'text', wholly_rejected: 'boolean' });
export const REPLACEABLE_ENTRY_ROW = rowShape('a replaceable registry entry', { file_id: 'integer', path: 'text', format: 'text' });
export const GROWTH_CANDIDATE_ROW = rowShape('a growth candidate', {
  i: 'integer',
  file_id: 'integer',
  path: 'text',
  content_bytes: 'integer',
  content_sha256: 'text',
  total_lines: 'integer',
});

export const STAGED_LINE_TOTALS_ROW = rowShape('the staged line totals', { file_pos: 'integer', lines: 'integer', text_bytes: 'integer' });
export const PARQUET_ROWS_ROW = rowShape('the row count of a Parquet file', { row_count: 'integer' });
export const CSV_HEADER_ROW = rowShape('a CSV header', { fields: 'text[]?' });

/**
 * field-presence.sql: the well-formed records; per required field those without
 * it, per optional field those with it; the time range of the valid records.
 */
export const FIELD_PRESENCE_ROW = rowShape('the field presence of the staged records', {
  file_pos: 'integer',
  records: 'integer',
  ...counts(REQUIRED_FIELDS.map((field) => `missing_${field}` as const)),
  ...counts(LOG_FIELDS.filter((field) => !REQUIRED_FIELDS.includes(field)).map((field) => `present_${field}` as const)),
  lo: 'timestamp?',
  hi: 'timestamp?',
  batch_lo: 'timestamp?',
  batch_hi: 'timestamp?',
});

export const NEXT_FILE_ID_ROW = rowShape('a new file id', { file_id: 'integer' });
export const BATCH_RANGE_ROW = rowShape('the overlap with stored records', { overlaps: 'boolean' });
export const FILE_COUNTS_ROW = rowShape('the line counts of a file', { file_pos: 'integer', file_id: 'integer', lines_read: 'integer', loaded: 'integer', duplicates: 'integer', rejected: 'integer' });

/** run-files.sql: the registry entry of a file a run read, with its first rejected line. */
export const RUN_FILE_ROW = rowShape('a registry entry of the run', {
  file_id: 'integer',
  lines_read: 'integer',
  rejected: 'integer',
  gap_records: 'integer',
  first_gap_line: 'integer?',
  first_gap_reason: 'text?',
  first_reject_line: 'integer?',
  first_reject_reason: 'text?',
});
export const RUN_REJECT_ROW = rowShape('a rejected line of the run', { path: 'text', line_no: 'integer', reason: 'text', raw_bytes: 'integer', raw: 'text?' });

export const REJECT_ROW = rowShape('a rejected line', { path: 'text', line_no: 'integer', reason: 'text', raw: 'text?' });
export const REJECTS_TABLE_ROW = rowShape('the count of rejects tables', { n: 'integer' });
export const REJECT_COUNT_ROW = rowShape('the count of rejected lines', { total: 'integer' });

/** Integer columns named after some of the fields: the type cannot say which, so each is optional in it. */
function counts<K extends `${'missing' | 'present'}_${LogField}`>(names: readonly K[]): Partial<Record<K, 'integer'>> {
  return Object.fromEntries(names.map((name) => [name, 'integer'])) as Partial<Record<K, 'integer'>>;
}

/** mirror/holds-own-logs.sql: whether a local database holds logs of its own (not a ClickHouse working copy). */
export const HOLDS_OWN_LOGS_ROW = rowShape('whether the database holds its own logs', { holds_own_logs: 'boolean' });

/** mirror/is-working-copy.sql: whether a local database is a ClickHouse working copy. */
export const WORKING_COPY_ROW = rowShape('whether the database is a ClickHouse working copy', { working_copy: 'boolean' });
