import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderAffectedSessionsCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderFindingsJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderOcsf } from '../../src/report/ocsf.js';
import { listRunFolders, writeRunFolder } from '../../src/report/write.js';
import { fixtureReport } from '../fixtures/report/fixture.js';
import { present } from '../fixtures/report/present.js';

/** Larger than any Linux pid (pid_max is at most 2^22), so no process can own it. */
const DEAD_PID = 999_999_999;

let outDir: string;

beforeEach(async () => {
  outDir = join(await mkdtemp(join(tmpdir(), 'routeaudit-write-')), 'reports');
});

afterEach(async () => {
  await rm(join(outDir, '..'), { recursive: true, force: true });
});

function reportWithRunId(runId: string) {
  const report = fixtureReport();
  report.run.runId = runId;
  return report;
}

describe('writeRunFolder', () => {
  it('writes the report files and rejects.csv into <out>/<runId> and points latest at it', async () => {
    const report = fixtureReport();
    const rejects = [{ path: 'logs/a.jsonl', line_no: 7, reason: 'not JSON', raw_bytes: 8, raw: '=not js' }];
    const folder = await writeRunFolder(outDir, report, rejects);
    expect(folder).toBe(join(outDir, report.run.runId));
    expect((await readdir(folder)).sort()).toEqual([
      'affected-sessions.csv',
      'findings.json',
      'findings.ocsf.json',
      'input-problems.csv',
      'rejects.csv',
      'report.html',
      'summary.md',
    ]);
    expect(await readFile(join(folder, 'rejects.csv'), 'utf8')).toBe("file,line,reason,raw_bytes,raw\r\nlogs/a.jsonl,7,not JSON,8,'=not js\r\n");
    expect(await readFile(join(folder, 'input-problems.csv'), 'utf8')).toBe('kind,file,reason,lines_read,rejected\r\n');
    expect(await readFile(join(folder, 'summary.md'), 'utf8')).toBe(renderMarkdown(report));
    expect(await readFile(join(folder, 'findings.json'), 'utf8')).toBe(renderFindingsJson(report));
    expect(await readFile(join(folder, 'affected-sessions.csv'), 'utf8')).toBe(renderAffectedSessionsCsv(report));
    expect(await readFile(join(folder, 'report.html'), 'utf8')).toBe(renderHtml(report));
    expect(await readFile(join(folder, 'findings.ocsf.json'), 'utf8')).toBe(renderOcsf(report));
    expect(await readlink(join(outDir, 'latest'))).toBe(report.run.runId);
    expect((await readdir(outDir)).sort()).toEqual([report.run.runId, 'latest']);
  });

  it('replaces the folder when the same window runs again, leaving nothing else behind', async () => {
    const first = fixtureReport();
    await writeRunFolder(outDir, first);
    await writeFile(join(outDir, first.run.runId, 'stray.txt'), 'from the first run');
    const second = fixtureReport();
    second.run.generatedAt = '2020-04-02T07:00:00.000Z';
    const folder = await writeRunFolder(outDir, second);
    expect(await readdir(folder)).not.toContain('stray.txt');
    expect(await readFile(join(folder, 'summary.md'), 'utf8')).toContain('2020-04-02 07:00:00 UTC');
    expect((await readdir(outDir)).sort()).toEqual([first.run.runId, 'latest']);
  });

  it('points latest at the run written last and lists runs in id order', async () => {
    await writeRunFolder(outDir, reportWithRunId('20200402_p1'));
    await writeRunFolder(outDir, reportWithRunId('20200401_p1'));
    expect(await readlink(join(outDir, 'latest'))).toBe('20200401_p1');
    expect(await listRunFolders(outDir)).toEqual(['20200401_p1', '20200402_p1']);
  });

  it('removes what a dead writer left and never lists a temp folder as a run', async () => {
    await mkdir(join(outDir, `.tmp-20200401_p1-${DEAD_PID}`), { recursive: true });
    await writeFile(join(outDir, `.tmp-20200401_p1-${DEAD_PID}`, 'summary.md'), 'half a report');
    const live = `.tmp-20200330_p1-${process.pid}`;
    await mkdir(join(outDir, live));
    expect(await listRunFolders(outDir)).toEqual([]);

    await writeRunFolder(outDir, reportWithRunId('20200401_p1'));
    // A live writer's temp folder stays: it may still be writing.
    expect((await readdir(outDir)).sort()).toEqual([live, '20200401_p1', 'latest']);
    expect(await listRunFolders(outDir)).toEqual(['20200401_p1']);
  });

  it('lists nothing for a folder that does not exist yet', async () => {
    expect(await listRunFolders(join(outDir, 'missing'))).toEqual([]);
  });

  it.each(['', '.', '..', '../escape', 'a/b', '.hidden', 'latest', 'with space', 'semi;colon', 'new\nline'])(
    'refuses the run id %j and writes nothing',
    async (runId) => {
      await expect(writeRunFolder(outDir, reportWithRunId(runId))).rejects.toThrow(/cannot name a run folder/);
      await expect(readdir(outDir)).rejects.toThrow(/ENOENT/);
    },
  );

  it('writes files larger than one write piece whole, rejects page by page from an async source', async () => {
    const report = fixtureReport();
    const finding = present(report.findings[0], 'a finding in the fixture');
    // Nearly 3 MiB of findings.json: three of the writer's 1 MiB pieces.
    report.findings = Array.from({ length: 3000 }, (_, i) => ({ ...finding, sessionId: `s-${String(i).padStart(5, '0')}`, detail: 'x'.repeat(i % 97) }));
    async function* rejects() {
      for (let line = 1; line <= 20_000; line++) yield { path: 'logs/a.jsonl', line_no: line, reason: 'not JSON', raw_bytes: 64, raw: 'y'.repeat(64) };
    }
    const folder = await writeRunFolder(outDir, report, rejects());
    const json = await readFile(join(folder, 'findings.json'), 'utf8');
    expect(json.length).toBeGreaterThan(2.5 * 2 ** 20);
    expect(json).toBe(renderFindingsJson(report));
    expect((JSON.parse(json) as { findings: unknown[] }).findings).toHaveLength(3000);
    expect(await readFile(join(folder, 'affected-sessions.csv'), 'utf8')).toBe(renderAffectedSessionsCsv(report));
    const rejectLines = (await readFile(join(folder, 'rejects.csv'), 'utf8')).split('\r\n');
    expect(rejectLines).toHaveLength(1 + 20_000 + 1);
    expect(rejectLines[20_000]).toBe(`logs/a.jsonl,20000,not JSON,64,${'y'.repeat(64)}`);
  });

  it('keeps the earlier run and leaves nothing else when the rejects fail midway', async () => {
    const first = fixtureReport();
    await writeRunFolder(outDir, first);
    const before = await readFile(join(outDir, first.run.runId, 'summary.md'), 'utf8');
    async function* failing() {
      yield { path: 'logs/a.jsonl', line_no: 1, reason: 'not JSON', raw_bytes: 1, raw: 'x' };
      throw new Error('the database went away');
    }
    const second = fixtureReport();
    second.run.generatedAt = '2020-04-02T07:00:00.000Z';
    await expect(writeRunFolder(outDir, second, failing())).rejects.toThrow('the database went away');
    expect((await readdir(outDir)).sort()).toEqual([first.run.runId, 'latest']);
    expect(await readFile(join(outDir, first.run.runId, 'summary.md'), 'utf8')).toBe(before);
  });

  it('refuses to replace a latest that is a real directory', async () => {
    await mkdir(join(outDir, 'latest', 'keep'), { recursive: true });
    await expect(writeRunFolder(outDir, fixtureReport())).rejects.toThrow(/latest is a directory/);
    expect(await readdir(join(outDir, 'latest'))).toEqual(['keep']);
  });
});
