/**
 * Stages a source file into staged_lines: each attempt a source record gives as
 * one row holding its translation to the log schema (JSON, read by records.sql
 * like a native line), the record's own text for a reject, and its line and
 * part; a record that cannot be read as a row with its problem and no translation.
 */
import { basename } from 'node:path';
import type { Database } from '../../db/database.js';
import { InputError } from '../../errors.js';
import { loadQuery } from '../../queries.js';
import type { LogFile } from '../discover.js';
import { LOG_FIELDS } from '../schema.js';
import { NATIVE_SOURCE } from './names.js';
import { readSourceRecords, type ReadTotals } from './read.js';
import type { SourceSpec } from './spec.js';
import { MAX_PARTS, translate, type TranslateContext } from './translate.js';

const BATCH_ROWS = 5000;

type StagedRow = [lineNo: number, part: number, shown: string, line: string | null, badUtf8: boolean, rawBytes: number, sha256: null, problem: string | null, filePos: 0];

export interface SourceStaging {
  /** Source records read (a participant, a conn.log row): each gave attempts or one reject. */
  records: number;
  /** Header, comment and directive lines, which hold no record. */
  framingLines: number;
  /** Records by which the source says others are missing (reject rules with gap: true), and the first one's line and reason. */
  gaps: { count: number; firstLine: number | null; firstReason: string | null };
}

export async function stageSourceRecords(db: Database, file: LogFile, spec: SourceSpec, timezone: string | null): Promise<SourceStaging> {
  await db.run(loadQuery('ingest/create-staged-lines.sql'));
  // The native schema's rule stands for a native JSON document: a time without offset is UTC, whatever --timezone says.
  const zone = spec.name === NATIVE_SOURCE ? spec.timezone : (timezone ?? spec.timezone);
  const context: TranslateContext = { spec, timezone: zone, fileValues: fileValues(spec, file.path) };
  const totals: ReadTotals = { framingLines: 0 };
  let batch: StagedRow[] = [];
  let records = 0;
  const gaps: SourceStaging['gaps'] = { count: 0, firstLine: null, firstReason: null };
  let partsLine = 0;
  let nextPart = 0;
  const push = async (row: StagedRow) => {
    batch.push(row);
    if (batch.length >= BATCH_ROWS) {
      await db.appendToTemp('staged_lines', batch);
      batch = [];
    }
  };
  for await (const record of readSourceRecords(spec, file.absolutePath, file.compression, totals)) {
    records++;
    // Several records may share a line (a page of participants on one line): parts number them all.
    if (record.line !== partsLine) {
      partsLine = record.line;
      nextPart = 0;
    }
    const bytes = Buffer.byteLength(record.text);
    const result = translate(record, records, context);
    if ('noZone' in result) throw new InputError(file.path, result.noZone);
    if ('problem' in result || nextPart + result.attempts.length > MAX_PARTS) {
      const problem = 'problem' in result ? result.problem : `more than ${MAX_PARTS} attempts on one line`;
      if ('gap' in result && result.gap === true && gaps.count++ === 0) {
        gaps.firstLine = record.line;
        gaps.firstReason = problem;
      }
      await push([record.line, nextPart++, record.text, null, false, bytes, null, problem, 0]);
      continue;
    }
    for (const attempt of result.attempts) {
      const line = JSON.stringify(Object.fromEntries(LOG_FIELDS.map((field, i) => [field, attempt[i] ?? null])));
      await push([record.line, nextPart++, record.text, line, false, bytes, null, null, 0]);
    }
  }
  if (batch.length > 0) await db.appendToTemp('staged_lines', batch);
  return { records, framingLines: totals.framingLines, gaps };
}

/** `$file.NAME` values: the named groups of the definition's file_name pattern, matched against the file's name. */
function fileValues(spec: SourceSpec, path: string): Record<string, string> {
  const match = spec.fileName?.exec(basename(path));
  return Object.fromEntries(Object.entries(match?.groups ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
