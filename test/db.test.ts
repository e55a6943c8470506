import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { tempDir } from './helpers.js';
import { Database, defaultMemoryLimit, isoFromMicros, varcharList } from '../src/db/database.js';
import { ShapeError, rowShape } from '../src/db/shape.js';
import { quoteIdentifier, quoteLiteral } from '../src/db/sql.js';

describe('Database', () => {
  it('limits DuckDB to 1 GiB by default, a quarter of a small machine, at least 256 MiB', async () => {
    const GiB = 2 ** 30;
    expect(defaultMemoryLimit(24 * GiB)).toBe('1024MiB');
    expect(defaultMemoryLimit(2 * GiB)).toBe('512MiB');
    expect(defaultMemoryLimit(0.5 * GiB)).toBe('256MiB');
    const mib = Number.parseInt(defaultMemoryLimit(), 10);
    const expected = mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib.toFixed(1)} MiB`;
    const db = await Database.open(':memory:');
    const tuned = await Database.open(':memory:', { memoryLimit: '300MiB' });
    try {
      expect((await db.one(`SELECT current_setting('memory_limit') AS v`)).v).toBe(expected);
      expect((await tuned.one(`SELECT current_setting('memory_limit') AS v`)).v).toBe('300.0 MiB');
    } finally {
      db.close();
      tuned.close();
    }
  });

  it('pins the session to UTC whatever the process zone', async () => {
    const db = await Database.open(':memory:');
    try {
      const row = await db.one(`SELECT current_setting('TimeZone') AS tz, TIMESTAMPTZ '2020-04-01 08:00:00+08:00' AS ts`);
      expect(row).toEqual({ tz: 'UTC', ts: '2020-04-01T00:00:00.000Z' });
    } finally {
      db.close();
    }
  });

  it('binds scalars and typed lists, including an empty list', async () => {
    const db = await Database.open(':memory:');
    try {
      const row = await db.one('SELECT $a AS a, len($xs) AS n, $ys AS ys', { a: "it's", xs: varcharList([]), ys: varcharList(['x', null]) });
      expect(row).toEqual({ a: "it's", n: 0, ys: ['x', null] });
    } finally {
      db.close();
    }
  });

  it('returns every character of a string, a leading U+FEFF and NUL included', async () => {
    const db = await Database.open(':memory:');
    try {
      const values = ['\ufeffx', '\ufeff\ufeff', '\ufeff', 'a\u0000b', '\u0000'];
      expect(await db.all('SELECT unnest($vs) AS v', { vs: varcharList(values) })).toEqual(values.map((v) => ({ v })));
      expect(await db.one(`SELECT chr(65279) || 'x' AS v`)).toEqual({ v: '\ufeffx' });
    } finally {
      db.close();
    }
  });

  it('refuses to turn a BIGINT beyond 2^53 into a rounded number', async () => {
    const db = await Database.open(':memory:');
    try {
      await expect(db.all('SELECT 9007199254740993::BIGINT AS big')).rejects.toThrow(/does not fit/);
      expect(await db.one('SELECT 9007199254740991::BIGINT AS ok')).toEqual({ ok: 9007199254740991 });
    } finally {
      db.close();
    }
  });

  it('rolls a failed transaction back', async () => {
    const db = await Database.open(':memory:');
    try {
      await db.run('CREATE TABLE t (x INTEGER)');
      await expect(
        db.transaction(async () => {
          await db.run('INSERT INTO t VALUES (1)');
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await db.one('SELECT count(*) AS n FROM t')).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('names a database file cut short as such, for reading and for writing', async () => {
    const dir = tempDir();
    const whole = join(dir, 'whole.duckdb');
    const db = await Database.open(whole);
    await db.run('CREATE TABLE t AS SELECT range AS x FROM range(1000)');
    db.close();
    const cut = join(dir, 'cut.duckdb');
    writeFileSync(cut, readFileSync(whole).subarray(0, 4096));
    for (const readOnly of [true, false]) {
      const opening = Database.open(cut, { readOnly });
      await expect(opening).rejects.toBeInstanceOf(UserError);
      await expect(opening).rejects.toThrow(`cannot open database "${cut}": the file ends before its first blocks do, so it was cut short`);
    }
  });

  it('streams rows page by page, all of them in order, after checking their shape', async () => {
    const db = await Database.open(':memory:');
    try {
      const shape = rowShape('a numbered row', { n: 'integer', label: 'text' });
      const sql = `SELECT range::BIGINT AS n, 'row ' || range AS label FROM range($rows::BIGINT) ORDER BY n`;
      const pages: number[] = [];
      const seen: number[] = [];
      for await (const page of db.streamRows(shape, 'test.sql', sql, { rows: 5000 })) {
        pages.push(page.length);
        for (const row of page) {
          expect(row.label).toBe(`row ${row.n}`);
          seen.push(row.n);
        }
      }
      // DuckDB's vectors hold 2,048 rows: more than one page, and every row once.
      expect(pages.length).toBeGreaterThan(1);
      expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));

      const wrong = rowShape('a numbered row', { n: 'text' });
      await expect(db.streamRows(wrong, 'test.sql', sql, { rows: 1 }).next()).rejects.toThrow(ShapeError);
      // The connection is usable after an abandoned stream.
      expect(await db.one('SELECT 42 AS v')).toEqual({ v: 42 });
    } finally {
      db.close();
    }
  });

  it('removes what a creation killed after its link left under a temporary name, and nothing else', async () => {
    const dir = tempDir();
    const path = join(dir, 'new.duckdb');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(`${path}.creating-${dead}`, 'left by a killed run');
    writeFileSync(`${path}.creating-${process.ppid}`, 'a creation under way in a live process');
    writeFileSync(join(dir, 'other.duckdb.creating-1'), 'another database');
    (await Database.open(path)).close();
    expect(readdirSync(dir).sort()).toEqual(['new.duckdb', `new.duckdb.creating-${process.ppid}`, 'other.duckdb.creating-1']);
  });
});

describe('isoFromMicros', () => {
  it('keeps sub-millisecond digits only when present, also before 1970', () => {
    expect(isoFromMicros(1_585_728_000_250_000n)).toBe('2020-04-01T08:00:00.250Z');
    expect(isoFromMicros(1_585_728_000_250_123n)).toBe('2020-04-01T08:00:00.250123Z');
    expect(isoFromMicros(-1n)).toBe('1969-12-31T23:59:59.999999Z');
  });
});

describe('quoting', () => {
  it('doubles quotes and refuses NUL', () => {
    expect(quoteLiteral("a'b")).toBe("'a''b'");
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
  });
});
