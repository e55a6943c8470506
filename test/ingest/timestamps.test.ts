import { describe, expect, it } from 'vitest';
import { ingestPaths, jsonl, memoryDb, record, tempDir, writeFile } from '../helpers.js';

/** Line by line: the ts as written, and the stored UTC instant or the reject reason. */
const CASES: { ts: unknown; stored?: string; reason?: string }[] = [
  { ts: '2020-04-01T08:00:00Z', stored: '2020-04-01T08:00:00.000Z' },
  { ts: '2020-04-01T08:00:00.250+08:00', stored: '2020-04-01T00:00:00.250Z' },
  { ts: '2020-04-01T08:00:00-05:30', stored: '2020-04-01T13:30:00.000Z' },
  { ts: '2020-04-01T08:00:00.123456Z', stored: '2020-04-01T08:00:00.123456Z' },
  { ts: '2020-04-01T08:00:00', stored: '2020-04-01T08:00:00.000Z' },
  { ts: '2020-04-01 08:00:00.5', stored: '2020-04-01T08:00:00.500Z' },
  { ts: '2020-04-01T08:00:00+0530', stored: '2020-04-01T02:30:00.000Z' },
  { ts: ' 2020-04-01T08:00:00Z ', stored: '2020-04-01T08:00:00.000Z' },
  { ts: 1585728000250, stored: '2020-04-01T08:00:00.250Z' },
  { ts: '1585728000250', stored: '2020-04-01T08:00:00.250Z' },
  { ts: 1585728000, reason: 'ts: "1585728000" looks like epoch seconds; expected epoch milliseconds or ISO-8601' },
  { ts: '1585728000', reason: 'ts: "1585728000" looks like epoch seconds; expected epoch milliseconds or ISO-8601' },
  { ts: 'yesterday', reason: 'ts: cannot parse "yesterday" as ISO-8601 or epoch milliseconds' },
  { ts: '2020-02-30T08:00:00Z', reason: 'ts: cannot parse "2020-02-30T08:00:00Z" as ISO-8601 or epoch milliseconds' },
  { ts: '2020-04-01T08:00:00+25:00', reason: 'ts: cannot parse "2020-04-01T08:00:00+25:00" as ISO-8601 or epoch milliseconds' },
  { ts: 'infinity', reason: 'ts: cannot parse "infinity" as ISO-8601 or epoch milliseconds' },
  { ts: 'epoch', reason: 'ts: cannot parse "epoch" as ISO-8601 or epoch milliseconds' },
  { ts: '2020-04-01T08:00:00 Europe/Paris', reason: 'ts: cannot parse "2020-04-01T08:00:00 Europe/Paris" as ISO-8601 or epoch milliseconds' },
];

describe('timestamps', () => {
  it('runs in a zone far from UTC, so a local-time conversion would show', () => {
    expect(process.env.TZ).toBe('Pacific/Kiritimati');
    expect(new Date('2020-04-01T00:00:00Z').getTimezoneOffset()).toBe(-14 * 60);
  });

  it('stores Z, offsets, no offset (UTC) and epoch milliseconds as UTC; rejects epoch seconds and garbage', async () => {
    const dir = tempDir();
    // A distinct session per line, so that equal instants are not duplicates of each other.
    writeFile(dir, 'ts.jsonl', jsonl(CASES.map((c, i) => record({ ts: c.ts, session_id: `s${i + 1}` }))));
    const db = await memoryDb();
    const summary = await ingestPaths(db, [dir], dir);
    const loaded = CASES.filter((c) => c.stored).length;
    expect(summary.totals).toEqual({ linesRead: CASES.length, loaded, duplicates: 0, rejected: CASES.length - loaded });

    const stored = await db.all('SELECT line_no, ts FROM connections ORDER BY line_no');
    expect(stored).toEqual(CASES.flatMap((c, i) => (c.stored ? [{ line_no: i + 1, ts: c.stored }] : [])));
    const rejects = await db.all('SELECT line_no, reason FROM rejects ORDER BY line_no');
    expect(rejects).toEqual(CASES.flatMap((c, i) => (c.reason ? [{ line_no: i + 1, reason: c.reason }] : [])));
  });

  it('reads the same forms from CSV text', async () => {
    const dir = tempDir();
    writeFile(dir, 'ts.csv', ['ts,session_id,dc_id,outcome', '2020-04-01T08:00:00.250+08:00,a,dc,connected', '1585728000250,b,dc,connected', '1585728000,c,dc,connected', '2020-04-01T08:00:00,d,dc,connected', ''].join('\n'));
    const db = await memoryDb();
    await ingestPaths(db, [dir], dir);
    expect(await db.all('SELECT line_no, session_id, ts FROM connections ORDER BY line_no')).toEqual([
      { line_no: 2, session_id: 'a', ts: '2020-04-01T00:00:00.250Z' },
      { line_no: 3, session_id: 'b', ts: '2020-04-01T08:00:00.250Z' },
      { line_no: 5, session_id: 'd', ts: '2020-04-01T08:00:00.000Z' },
    ]);
    expect(await db.all('SELECT line_no, reason FROM rejects')).toEqual([
      { line_no: 4, reason: 'ts: "1585728000" looks like epoch seconds; expected epoch milliseconds or ISO-8601' },
    ]);
  });
});
