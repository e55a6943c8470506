import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ingestPaths, jsonl, memoryDb, record, tempDir, writeFile } from '../helpers.js';
import { expectRegistryMatchesTables } from './support.js';

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

/** One JSON Lines file, one malformed line of each kind, each between good lines; `null` is a good line. */
const LINES: { line: string; reason: string | null }[] = [
  { line: JSON.stringify(record({ session_id: 'good-1' })), reason: null },
  { line: '{"ts": "2020-04-01T08:00:00Z", "session_id": "s"', reason: 'not valid JSON' },
  { line: '[1,2]', reason: 'not a JSON object' },
  { line: '"just a string"', reason: 'not a JSON object' },
  { line: '', reason: 'blank line' },
  { line: '   ', reason: 'blank line' },
  { line: JSON.stringify(record({ ts: undefined })), reason: 'missing required field "ts"' },
  { line: JSON.stringify(record({ session_id: undefined })), reason: 'missing required field "session_id"' },
  { line: JSON.stringify(record({ dc_id: undefined })), reason: 'missing required field "dc_id"' },
  { line: JSON.stringify(record({ outcome: undefined })), reason: 'missing required field "outcome"' },
  { line: JSON.stringify(record({ session_id: '' })), reason: 'missing required field "session_id"' },
  { line: JSON.stringify(record({ dc_id: null })), reason: 'missing required field "dc_id"' },
  { line: JSON.stringify(record({ outcome: 'ok' })), reason: 'outcome: "ok" is not one of connected, timeout, refused, error' },
  { line: JSON.stringify(record({ tier: 'tertiary' })), reason: 'tier: "tertiary" is not one of primary, secondary' },
  { line: JSON.stringify(record({ traffic: 'video' })), reason: 'traffic: "video" is not one of media, signaling, key_exchange, other' },
  { line: JSON.stringify(record({ attempt: 1.5 })), reason: 'attempt: "1.5" is not a whole number from 1' },
  { line: JSON.stringify(record({ attempt: 0 })), reason: 'attempt: "0" is not a whole number from 1' },
  { line: JSON.stringify(record({ attempt: 'two' })), reason: 'attempt: "two" is not a whole number from 1' },
  { line: JSON.stringify(record({ latency_ms: 12.5 })), reason: 'latency_ms: "12.5" is not a whole number of milliseconds' },
  { line: JSON.stringify(record({ latency_ms: -3 })), reason: 'latency_ms: "-3" is not a whole number of milliseconds' },
  { line: JSON.stringify(record({ client_country: 'USA' })), reason: 'client_country: "USA" is not an ISO-3166 alpha-2 code' },
  { line: JSON.stringify(record({ client_country: 'U1' })), reason: 'client_country: "U1" is not an ISO-3166 alpha-2 code' },
  { line: JSON.stringify(record({ ts: '04/01/2020 8:00 AM' })), reason: 'ts: cannot parse "04/01/2020 8:00 AM" as ISO-8601 or epoch milliseconds' },
  { line: JSON.stringify(record({ session_id: { id: 1 } })), reason: 'fields must be strings or numbers, found an object or array in: session_id' },
  {
    line: JSON.stringify(record({ ts: undefined, outcome: 'ok', client_country: 'usa' })),
    reason: 'missing required field "ts"; outcome: "ok" is not one of connected, timeout, refused, error; client_country: "USA" is not an ISO-3166 alpha-2 code',
  },
  { line: JSON.stringify(record({ session_id: 'good-2', outcome: 'TIMEOUT', tier: 'Secondary', client_country: 'ca', unknown_field: [1, 2] })), reason: null },
];

describe('rejects', () => {
  it('stores a malformed line of each kind with its file, line number and reason; good lines around them load', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/mixed.jsonl', jsonl(LINES.map((l) => l.line)));
    const db = await memoryDb();
    const summary = await ingestPaths(db, [dir], dir);
    const rejected = LINES.filter((l) => l.reason !== null).length;
    expect(summary.files.map((f) => [f.path, f.linesRead, f.loaded, f.duplicates, f.rejected])).toEqual([['logs/mixed.jsonl', LINES.length, LINES.length - rejected, 0, rejected]]);

    const rows = await db.all('SELECT f.path, r.line_no, r.reason, r.raw, r.raw_bytes, r.raw_sha256 FROM rejects r JOIN ingested_files f USING (file_id) ORDER BY r.line_no');
    expect(rows).toEqual(
      LINES.flatMap((l, i) =>
        l.reason === null
          ? []
          : [{ path: 'logs/mixed.jsonl', line_no: i + 1, reason: l.reason, raw: l.line === '' ? null : l.line, raw_bytes: Buffer.byteLength(l.line), raw_sha256: null }],
      ),
    );
    expect(await db.all('SELECT line_no, session_id, outcome, tier, client_country FROM connections ORDER BY line_no')).toEqual([
      { line_no: 1, session_id: 'good-1', outcome: 'connected', tier: null, client_country: null },
      { line_no: LINES.length, session_id: 'good-2', outcome: 'timeout', tier: 'secondary', client_country: 'CA' },
    ]);
    await expectRegistryMatchesTables(db);
  });

  it('keeps the first 4096 characters of a line over 4 KiB, its full length and the hash of the whole line', async () => {
    const dir = tempDir();
    const long = JSON.stringify(record({ outcome: 'ok', user_id: 'u'.repeat(6000) }));
    writeFile(dir, 'long.jsonl', jsonl([record(), long, record({ session_id: 's3' })]));
    const db = await memoryDb();
    await ingestPaths(db, [dir], dir);
    expect(await db.all('SELECT line_no, reason, raw, raw_bytes, raw_sha256 FROM rejects')).toEqual([
      { line_no: 2, reason: 'outcome: "ok" is not one of connected, timeout, refused, error', raw: long.slice(0, 4096), raw_bytes: long.length, raw_sha256: sha256(long) },
    ]);
    expect(await db.all('SELECT line_no FROM connections ORDER BY line_no')).toEqual([{ line_no: 1 }, { line_no: 3 }]);
  });

  it('rejects a line that is not valid UTF-8 through the exact reader; the other lines load with their true numbers', async () => {
    const dir = tempDir();
    const bad = Buffer.concat([Buffer.from('{"ts":"2020-04-01T08:00:00Z","session_id":"caf'), Buffer.from([0xe9, 0xff]), Buffer.from('","dc_id":"d","outcome":"connected"}')]);
    writeFile(dir, 'latin1.jsonl', Buffer.concat([Buffer.from(jsonl([record(), '[1]'])), bad, Buffer.from('\n' + jsonl([record({ session_id: 's4' }), record({ outcome: 'nope' })]))]));
    const db = await memoryDb();
    const summary = await ingestPaths(db, [dir], dir);
    expect(summary.files.map((f) => [f.linesRead, f.loaded, f.duplicates, f.rejected, f.note])).toEqual([
      [5, 2, 0, 3, "read line by line (the fast reader disagreed with the file's byte counts)"],
    ]);
    expect(await db.all('SELECT line_no, reason, raw_bytes FROM rejects ORDER BY line_no')).toEqual([
      { line_no: 2, reason: 'not a JSON object', raw_bytes: 3 },
      { line_no: 3, reason: 'not valid UTF-8', raw_bytes: bad.length },
      { line_no: 5, reason: 'outcome: "nope" is not one of connected, timeout, refused, error', raw_bytes: Buffer.byteLength(JSON.stringify(record({ outcome: 'nope' }))) },
    ]);
    expect(await db.all('SELECT line_no, session_id FROM connections ORDER BY line_no')).toEqual([
      { line_no: 1, session_id: 's1' },
      { line_no: 4, session_id: 's4' },
    ]);
    await expectRegistryMatchesTables(db);
  });

  it('falls back to the exact reader for a line holding the fast reader\'s delimiter bytes, and still loads and rejects exactly', async () => {
    const dir = tempDir();
    const withDelimiter = JSON.stringify(record({ session_id: 'sX' })).replace('"sX"', '"s\x1f\x1eX"');
    const garbage = 'before\x1f\x1eafter';
    writeFile(dir, 'delim.jsonl', jsonl([record(), withDelimiter, garbage, record({ session_id: 's4', user_id: 'u\\x1f\\x1e' })]));
    writeFile(dir, 'delim.csv', ['ts,session_id,dc_id,outcome,user_id', '2020-04-01T09:00:00Z,c1,dc,connected,a\x1f\x1eb', '2020-04-01T09:00:00Z,c2,dc,connected,plain', ''].join('\n'));
    const db = await memoryDb();
    const summary = await ingestPaths(db, [dir], dir);
    expect(summary.files.map((f) => [f.path, f.linesRead, f.loaded, f.duplicates, f.rejected, f.note])).toEqual([
      ['delim.csv', 2, 2, 0, 0, "read line by line (the fast reader disagreed with the file's byte counts)"],
      ['delim.jsonl', 4, 2, 0, 2, "read line by line (the fast reader disagreed with the file's byte counts)"],
    ]);
    // JSON forbids raw control characters in strings, so both JSON lines with the bytes are rejected, whole.
    expect(await db.all('SELECT line_no, reason, raw, raw_bytes FROM rejects ORDER BY line_no')).toEqual([
      { line_no: 2, reason: 'not valid JSON', raw: withDelimiter, raw_bytes: withDelimiter.length },
      { line_no: 3, reason: 'not valid JSON', raw: garbage, raw_bytes: garbage.length },
    ]);
    expect(await db.all('SELECT f.path, c.line_no, c.session_id, c.user_id FROM connections c JOIN ingested_files f USING (file_id) ORDER BY f.path, c.line_no')).toEqual([
      { path: 'delim.csv', line_no: 2, session_id: 'c1', user_id: 'a\x1f\x1eb' },
      { path: 'delim.csv', line_no: 3, session_id: 'c2', user_id: 'plain' },
      { path: 'delim.jsonl', line_no: 1, session_id: 's1', user_id: null },
      { path: 'delim.jsonl', line_no: 4, session_id: 's4', user_id: 'u\\x1f\\x1e' },
    ]);
  });

  describe('CSV', () => {
    it('rejects a line with the wrong number of fields', async () => {
      const dir = tempDir();
      writeFile(dir, 'fields.csv', ['ts,session_id,dc_id,outcome', '2020-04-01T08:00:00Z,s1,dc,connected', '2020-04-01T08:00:00Z,s2,dc,connected,extra', '2020-04-01T08:00:00Z,s3,dc', '2020-04-01T08:00:00Z,s4,dc,connected', ''].join('\n'));
      const db = await memoryDb();
      await ingestPaths(db, [dir], dir);
      expect(await db.all('SELECT line_no, reason, raw FROM rejects ORDER BY line_no')).toEqual([
        { line_no: 3, reason: 'expected 4 fields as in the header, found 5', raw: '2020-04-01T08:00:00Z,s2,dc,connected,extra' },
        { line_no: 4, reason: 'expected 4 fields as in the header, found 3', raw: '2020-04-01T08:00:00Z,s3,dc' },
      ]);
      expect(await db.all('SELECT line_no, session_id FROM connections ORDER BY line_no')).toEqual([
        { line_no: 2, session_id: 's1' },
        { line_no: 5, session_id: 's4' },
      ]);
    });

    it('an unterminated quote costs exactly one line', async () => {
      const dir = tempDir();
      writeFile(dir, 'quote.csv', ['ts,session_id,dc_id,outcome', '2020-04-01T08:00:00Z,"s1,dc,connected', '2020-04-01T08:00:00Z,s2,dc,connected', '2020-04-01T08:00:00Z,s3,"d"c",connected', '2020-04-01T08:00:00Z,"s""4",dc,connected', ''].join('\r\n'));
      const db = await memoryDb();
      const summary = await ingestPaths(db, [dir], dir);
      expect(summary.totals).toEqual({ linesRead: 4, loaded: 2, duplicates: 0, rejected: 2 });
      expect(await db.all('SELECT line_no, reason FROM rejects ORDER BY line_no')).toEqual([
        { line_no: 2, reason: 'malformed CSV quoting (an unterminated or stray quote)' },
        { line_no: 4, reason: 'malformed CSV quoting (an unterminated or stray quote)' },
      ]);
      expect(await db.all('SELECT line_no, session_id FROM connections ORDER BY line_no')).toEqual([
        { line_no: 3, session_id: 's2' },
        { line_no: 5, session_id: 's"4' },
      ]);
    });

    it('rejects a blank line and the same field errors as JSON', async () => {
      const dir = tempDir();
      writeFile(dir, 'values.csv', ['ts,session_id,dc_id,outcome,attempt,client_country', '2020-04-01T08:00:00Z,s1,dc,connected,1,us', '', ',s2,dc,connected,,', '2020-04-01T08:00:00Z,s3,dc,done,x,', ''].join('\n'));
      const db = await memoryDb();
      await ingestPaths(db, [dir], dir);
      expect(await db.all('SELECT line_no, reason FROM rejects ORDER BY line_no')).toEqual([
        { line_no: 3, reason: 'blank line' },
        { line_no: 4, reason: 'missing required field "ts"' },
        { line_no: 5, reason: 'outcome: "done" is not one of connected, timeout, refused, error; attempt: "x" is not a whole number from 1' },
      ]);
      expect(await db.all('SELECT line_no, attempt, client_country FROM connections')).toEqual([{ line_no: 2, attempt: 1, client_country: 'US' }]);
    });
  });
});
