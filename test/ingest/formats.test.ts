import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { quoteLiteral } from '../../src/db/sql.js';
import { ingestPaths, jsonl, memoryDb, tempDir, writeFile } from '../helpers.js';
import { storedConnections } from './support.js';

/** Three records using every field, quoting hazards and absent optional fields; `extra` is unknown and ignored. */
const RECORDS = [
  {
    ts: '2020-04-01T08:00:00.250Z', session_id: 's1', dc_id: 'us-sjc1', dc_ip: '198.51.100.10', outcome: 'connected', tier: 'primary', attempt: 1, latency_ms: 120,
    account_id: 'acct-1', meeting_id: 'm1', user_id: 'u1', client_ip: '203.0.113.7', client_country: 'US', traffic: 'media', extra: 'ignored',
  },
  {
    ts: '2020-04-01T08:00:05.000Z', session_id: 's1', dc_id: 'cn-bj1', dc_ip: ' 2001:db8:cafe::5 ', outcome: 'timeout', tier: 'secondary', attempt: 2, latency_ms: 5500,
    account_id: 'acct-1', meeting_id: 'm "big", 2', user_id: 'u,1', client_ip: '2001:db8::1', client_country: 'ca', traffic: 'key_exchange', extra: 'x',
  },
  {
    ts: '2020-04-02T23:59:59.999Z', session_id: 's2', dc_id: 'eu-fra1', dc_ip: null, outcome: 'refused', tier: null, attempt: null, latency_ms: null,
    account_id: null, meeting_id: null, user_id: null, client_ip: null, client_country: null, traffic: null, extra: null,
  },
];

const FIELDS = ['ts', 'session_id', 'dc_id', 'dc_ip', 'outcome', 'tier', 'attempt', 'latency_ms', 'account_id', 'meeting_id', 'user_id', 'client_ip', 'client_country', 'traffic'];

/** What every format must store for RECORDS, given the line number of the first record. */
function expectedRows(firstLine: number) {
  return [
    {
      ts: '2020-04-01T08:00:00.250Z', session_id: 's1', dc_id: 'us-sjc1', dc_ip: '198.51.100.10', outcome: 'connected', tier: 'primary', attempt: 1, latency_ms: 120,
      account_id: 'acct-1', meeting_id: 'm1', user_id: 'u1', client_ip: '203.0.113.7', client_country: 'US', traffic: 'media', line_no: firstLine, part: 0,
    },
    {
      ts: '2020-04-01T08:00:05.000Z', session_id: 's1', dc_id: 'cn-bj1', dc_ip: '2001:db8:cafe::5', outcome: 'timeout', tier: 'secondary', attempt: 2, latency_ms: 5500,
      account_id: 'acct-1', meeting_id: 'm "big", 2', user_id: 'u,1', client_ip: '2001:db8::1', client_country: 'CA', traffic: 'key_exchange', line_no: firstLine + 1, part: 0,
    },
    {
      ts: '2020-04-02T23:59:59.999Z', session_id: 's2', dc_id: 'eu-fra1', dc_ip: null, outcome: 'refused', tier: null, attempt: null, latency_ms: null,
      account_id: null, meeting_id: null, user_id: null, client_ip: null, client_country: null, traffic: null, line_no: firstLine + 2, part: 0,
    },
  ];
}

/** RFC 4180: quote a field with a comma, quote or line break, doubling its quotes. Columns in a non-schema order, plus one unknown. */
function csvText(): string {
  const header = ['outcome', 'extra', ...FIELDS.filter((f) => f !== 'outcome')];
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [header.join(','), ...RECORDS.map((r) => header.map((h) => cell((r as Record<string, unknown>)[h])).join(','))];
  return lines.join('\r\n') + '\r\n';
}

async function ingestAlone(dir: string, name: string) {
  const db = await memoryDb();
  const summary = await ingestPaths(db, [join(dir, name)], dir);
  return { db, summary };
}

/** Writes RECORDS with DuckDB's own writer; `select` reshapes the columns (ts as TIMESTAMP, epoch ms, ...). */
async function writeWithDuckDB(dir: string, name: string, select: string, options: string): Promise<void> {
  const plain = writeFile(dir, 'source.jsonl', jsonl(RECORDS));
  const db = await Database.open(':memory:');
  try {
    const columns = `{ts: 'VARCHAR', session_id: 'VARCHAR', dc_id: 'VARCHAR', dc_ip: 'VARCHAR', outcome: 'VARCHAR', tier: 'VARCHAR', attempt: 'INTEGER', latency_ms: 'INTEGER',
      account_id: 'VARCHAR', meeting_id: 'VARCHAR', user_id: 'VARCHAR', client_ip: 'VARCHAR', client_country: 'VARCHAR', traffic: 'VARCHAR', extra: 'VARCHAR'}`;
    await db.run(
      `COPY (SELECT ${select} FROM read_json(${quoteLiteral(plain)}, format = 'newline_delimited', columns = ${columns})) ` +
        `TO ${quoteLiteral(join(dir, name))} (${options})`,
    );
  } finally {
    db.close();
  }
}

async function parquetTsType(db: Database, path: string): Promise<unknown> {
  return (await db.one(`SELECT any_value(typeof(ts)) AS type FROM read_parquet(${quoteLiteral(path)})`)).type;
}

describe('each format and compression stores the same rows', () => {
  it('JSON Lines, plain', async () => {
    const dir = tempDir();
    writeFile(dir, 'log.jsonl', jsonl(RECORDS));
    const { db, summary } = await ingestAlone(dir, 'log.jsonl');
    expect(summary.files.map((f) => [f.format, f.compression, f.status, f.linesRead, f.loaded, f.duplicates, f.rejected])).toEqual([['jsonl', 'none', 'loaded', 3, 3, 0, 0]]);
    expect(await storedConnections(db)).toEqual(expectedRows(1));
  });

  it('JSON Lines, gzip', async () => {
    const dir = tempDir();
    writeFile(dir, 'log.jsonl.gz', jsonl(RECORDS), 'gzip');
    const { db, summary } = await ingestAlone(dir, 'log.jsonl.gz');
    expect(summary.files.map((f) => [f.format, f.compression, f.status, f.linesRead, f.loaded, f.duplicates, f.rejected])).toEqual([['jsonl', 'gzip', 'loaded', 3, 3, 0, 0]]);
    expect(await storedConnections(db)).toEqual(expectedRows(1));
  });

  it('JSON Lines, zstd (written by DuckDB)', async () => {
    const dir = tempDir();
    await writeWithDuckDB(dir, 'log.jsonl.zst', '*', 'FORMAT json, COMPRESSION zstd');
    const { db, summary } = await ingestAlone(dir, 'log.jsonl.zst');
    expect(summary.files.map((f) => [f.format, f.compression, f.status, f.linesRead, f.loaded, f.duplicates, f.rejected])).toEqual([['jsonl', 'zstd', 'loaded', 3, 3, 0, 0]]);
    expect(await storedConnections(db)).toEqual(expectedRows(1));
  });

  it('CSV with a header, RFC 4180 quoting and CRLF line ends: data starts on line 2', async () => {
    const dir = tempDir();
    const text = csvText();
    expect(text).toContain('"m ""big"", 2","u,1"');
    expect(text.split('\r\n')).toHaveLength(5);
    writeFile(dir, 'log.csv', text);
    const { db, summary } = await ingestAlone(dir, 'log.csv');
    expect(summary.files.map((f) => [f.format, f.compression, f.status, f.linesRead, f.loaded, f.duplicates, f.rejected])).toEqual([['csv', 'none', 'loaded', 3, 3, 0, 0]]);
    expect(await storedConnections(db)).toEqual(expectedRows(2));
  });

  it('CSV, gzip', async () => {
    const dir = tempDir();
    writeFile(dir, 'log.csv.gz', csvText(), 'gzip');
    const { db, summary } = await ingestAlone(dir, 'log.csv.gz');
    expect(summary.files.map((f) => [f.format, f.compression, f.status, f.linesRead, f.loaded, f.duplicates, f.rejected])).toEqual([['csv', 'gzip', 'loaded', 3, 3, 0, 0]]);
    expect(await storedConnections(db)).toEqual(expectedRows(2));
  });

  it('Parquet with ts as a TIMESTAMP column', async () => {
    const dir = tempDir();
    await writeWithDuckDB(dir, 'log.parquet', '* REPLACE (ts::TIMESTAMPTZ::TIMESTAMP AS ts)', 'FORMAT parquet');
    const { db, summary } = await ingestAlone(dir, 'log.parquet');
    expect(await parquetTsType(db, join(dir, 'log.parquet'))).toBe('TIMESTAMP');
    expect(summary.files.map((f) => [f.format, f.compression, f.status, f.linesRead, f.loaded, f.duplicates, f.rejected])).toEqual([['parquet', 'none', 'loaded', 3, 3, 0, 0]]);
    expect(await storedConnections(db)).toEqual(expectedRows(1));
  });

  it('Parquet with ts as epoch milliseconds (BIGINT)', async () => {
    const dir = tempDir();
    await writeWithDuckDB(dir, 'log.parquet', '* REPLACE (epoch_ms(ts::TIMESTAMPTZ) AS ts)', 'FORMAT parquet');
    const db = await memoryDb();
    expect(await parquetTsType(db, join(dir, 'log.parquet'))).toBe('BIGINT');
    const summary = await ingestPaths(db, [join(dir, 'log.parquet')], dir);
    expect(summary.files.map((f) => [f.format, f.compression, f.status, f.linesRead, f.loaded, f.duplicates, f.rejected])).toEqual([['parquet', 'none', 'loaded', 3, 3, 0, 0]]);
    expect(await storedConnections(db)).toEqual(expectedRows(1));
  });
});
