/**
 * Paths: nothing is written outside the --out folder, whatever it already holds
 * (symbolic links to elsewhere, leftovers of killed writers, names with `..`),
 * and `query` can neither write the database nor read or write other files.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { UserError } from '../../src/errors.js';
import { listRunFolders, writeRunFolder } from '../../src/report/write.js';
import { fixtureReport } from '../fixtures/report/fixture.js';
import { jsonl, record, recordingIo, tempDir, writeFile } from '../helpers.js';
import { expectCompleteRunFolder, folderDigest } from './support.js';

/** Larger than any Linux pid (pid_max is at most 2^22): no process can own it. */
const DEAD_PID = 999_999_999;

/** A folder outside the output folder, with a file that must stay as it is. */
function outside(): { dir: string; digest: () => string } {
  const dir = join(tempDir(), 'elsewhere');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'precious.txt'), 'do not touch');
  return { dir, digest: () => JSON.stringify(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')])) };
}

describe('writeRunFolder writes only inside the output folder', () => {
  const runId = fixtureReport().run.runId;

  it('refuses a run id that is not one safe path segment, before writing anything', async () => {
    for (const bad of ['..', '../x', '/etc', '/tmp/x', 'a/../../b', 'a\\b', '.', '.tmp-x-1', 'latest', 'a\u0000b', '']) {
      const out = join(tempDir(), 'reports');
      const report = fixtureReport();
      report.run.runId = bad;
      await expect(writeRunFolder(out, report), JSON.stringify(bad)).rejects.toThrow(UserError);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('never writes through a symbolic link named like the run folder', async () => {
    const out = join(tempDir(), 'reports');
    const target = outside();
    mkdirSync(out);
    symlinkSync(target.dir, join(out, runId));
    const before = target.digest();
    await expect(writeRunFolder(out, fixtureReport())).rejects.toThrow(`${join(out, runId)} is not a run folder (a file or a symbolic link): move it away and run again`);
    expect(target.digest()).toBe(before);
    expect(readdirSync(out)).toEqual([runId]);
  });

  it('replaces a latest link that points elsewhere, and leaves its target alone', async () => {
    const out = join(tempDir(), 'reports');
    const target = outside();
    mkdirSync(out);
    symlinkSync(target.dir, join(out, 'latest'));
    const before = target.digest();
    await writeRunFolder(out, fixtureReport());
    expect(readlinkSync(join(out, 'latest'))).toBe(runId);
    expect(target.digest()).toBe(before);
  });

  it('removes a dead writer\'s temp entry that is a link to elsewhere without following it', async () => {
    const out = join(tempDir(), 'reports');
    const target = outside();
    mkdirSync(out);
    symlinkSync(target.dir, join(out, `.tmp-${runId}-${DEAD_PID}`));
    symlinkSync(target.dir, join(out, `.tmp-latest-${DEAD_PID}`));
    const before = target.digest();
    await writeRunFolder(out, fixtureReport());
    expect(target.digest()).toBe(before);
    expect(readdirSync(out).sort()).toEqual([runId, 'latest']);
  });

  it('puts back a run folder a killed writer had moved aside, and never renames a leftover to an unsafe name', async () => {
    const out = join(tempDir(), 'reports');
    const first = await writeRunFolder(out, fixtureReport());
    const digest = folderDigest(first);
    // Killed between moving the old folder aside and moving the new one in.
    renameSync(first, join(out, `.tmp-replaced-${runId}-${DEAD_PID}`));
    mkdirSync(join(out, `.tmp-replaced-..-${DEAD_PID}`));
    expect(await listRunFolders(out)).toEqual([]);

    const other = fixtureReport();
    other.run.runId = '20990101T0000Z_20990102T0000Z_p00000000';
    await writeRunFolder(out, other);
    expect(folderDigest(join(out, runId))).toEqual(digest);
    expect(readdirSync(out).sort()).toEqual([other.run.runId, runId, 'latest'].sort());
  });

  it('refuses an --out that is a file, with a message', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'reports'), 'a file');
    await expect(writeRunFolder(join(dir, 'reports'), fixtureReport())).rejects.toThrow(/it is not a folder/);
  });

  it('through the CLI: --out with `..` goes where the user said, run folders stay inside it', async () => {
    const dir = tempDir();
    writeFile(dir, 'work/logs/a.jsonl', jsonl([record({ dc_id: 'cn-pek1', client_country: 'US' })]));
    const io = recordingIo(join(dir, 'work'));
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, readFileSync(new URL('../fixtures/policies/example.yaml', import.meta.url)));
    const code = await runCli(['audit', '--logs', 'logs', '--policy', policy, '--out', '../reports/../reports', '--now', '2020-04-05T00:00:00Z', '--fail-on', 'none'], io);
    expect(code, io.err.join('')).toBe(0);
    const out = join(dir, 'reports');
    const runs = await listRunFolders(out);
    expect(runs).toHaveLength(1);
    expect(expectCompleteRunFolder(join(out, runs[0]!))).toBeNull();
    expect(readdirSync(out).sort()).toEqual([runs[0], 'latest']);
    expect(lstatSync(join(out, 'latest')).isSymbolicLink()).toBe(true);
  });
});

describe('routeaudit query is read-only and reads no file', () => {
  it('refuses writes, file access, extensions, settings and profiling output; the database file is unchanged', async () => {
    const dir = tempDir();
    writeFile(dir, 'logs/a.jsonl', jsonl([record(), record({ session_id: 's2' })]));
    expect(await runCli(['ingest', 'logs', '--db', 'q.duckdb'], recordingIo(dir))).toBe(0);
    const dbFile = join(dir, 'q.duckdb');
    const digest = () => createHash('sha256').update(readFileSync(dbFile)).digest('hex');
    const before = digest();
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'secret');
    const cases: [string, RegExp][] = [
      ['INSERT INTO connections SELECT * FROM connections', /read-only/],
      ['UPDATE ingested_files SET path = $$x$$', /read-only/],
      ['DROP TABLE rejects', /read-only/],
      ['CREATE VIEW v AS SELECT 1', /read-only/],
      [`ATTACH ':memory:' AS m`, /read-only|disabled/],
      // Several statements are refused before any runs.
      [`ATTACH ':memory:' AS m; CREATE TABLE m.t (x INTEGER)`, /expected one SQL statement, got 2/],
      [`SELECT * FROM read_text('${secret}')`, /file system operations are disabled/],
      [`SELECT * FROM read_blob('${secret}')`, /file system operations are disabled/],
      [`SELECT * FROM read_csv('${secret}')`, /file system operations are disabled/],
      [`SELECT * FROM '${secret}'`, /does not exist|file system operations are disabled/],
      [`SELECT * FROM glob('${dir}/*')`, /file system operations are disabled/],
      [`COPY (SELECT 1) TO '${join(dir, 'out.csv')}'`, /file system operations are disabled/],
      [`EXPORT DATABASE '${join(dir, 'export')}'`, /file system operations are disabled/],
      [`ATTACH '${join(dir, 'other.duckdb')}' AS other`, /file system operations are disabled/],
      ['INSTALL httpfs', /disabled/],
      [`SET temp_directory = '${dir}'`, /disabled/],
      [`SET allowed_directories = ['/']`, /Cannot change allowed_directories/],
      ['SET enable_external_access = true', /Cannot enable external access/],
      [`PRAGMA enable_profiling = 'json'; PRAGMA profiling_output = '${join(dir, 'profile.json')}'; SELECT 1`, /./],
    ];
    for (const [sql, message] of cases) {
      const io = recordingIo(dir);
      const code = await runCli(['query', sql, '--db', 'q.duckdb'], io);
      expect(code, sql).toBe(2);
      expect(io.err.join(''), sql).toMatch(/^routeaudit: query failed: /);
      expect(io.err.join(''), sql).toMatch(message);
    }
    expect(readdirSync(dir).sort()).toEqual(['logs', 'q.duckdb', 'secret.txt']);
    expect(digest()).toBe(before);
    const io = recordingIo(dir);
    expect(await runCli(['query', 'SELECT count(*) AS n FROM connections', '--db', 'q.duckdb', '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(io.out.join(''))).toEqual([{ n: 2 }]);
  });
});
