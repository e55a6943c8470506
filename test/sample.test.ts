import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sampleCommand } from '../src/commands/sample.js';
import type { Io } from '../src/io.js';
import { isoTimestamp } from '../src/sample/files.js';
import { generateSample, type AttemptRecord, type Sample } from '../src/sample/generate.js';

const DEFAULTS = { sessions: 6000, seed: 2020 };
const SAMPLE_LOGS = fileURLToPath(new URL('../sample-logs/', import.meta.url));
const SURGE_DAY = '2020-04-01';
const sample = generateSample(DEFAULTS);

function file(generated: Sample, name: string): Buffer {
  const found = generated.files.find((candidate) => candidate.path === name);
  if (!found) throw new Error(`no file ${name}`);
  return found.content;
}

function text(name: string, content: Buffer): string {
  return (name.endsWith('.gz') ? gunzipSync(content) : content).toString('utf8');
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`])),
  );
  return nested.flat().sort();
}

function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted && char === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (char === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields;
}

/** Each log line as field -> value, with the file's own spelling (strings, numbers, null; CSV empty -> null). */
function logLines(name: string, content: Buffer): { line: number; text: string; fields: () => Record<string, unknown> }[] {
  const body = text(name, content);
  if (name.endsWith('.csv')) {
    const [header = '', ...rows] = body.split('\r\n').slice(0, -1);
    const columns = parseCsvLine(header);
    return rows.map((row, index) => ({
      line: index + 2,
      text: row,
      fields: () => Object.fromEntries(parseCsvLine(row).map((value, column) => [columns[column], value === '' ? null : value])),
    }));
  }
  return body
    .split('\n')
    .slice(0, -1)
    .map((row, index) => ({ line: index + 1, text: row, fields: () => JSON.parse(row) as Record<string, unknown> }));
}

function timestampMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$/.test(value)) return Date.parse(value);
  throw new Error(`not a log timestamp: ${String(value)}`);
}

interface SessionView {
  id: string;
  clientRegion: string;
  attempts: AttemptRecord[];
}

function sessionsOf(generated: Sample): SessionView[] {
  const bySession = new Map<string, AttemptRecord[]>();
  for (const record of generated.records) bySession.set(record.sessionId, [...(bySession.get(record.sessionId) ?? []), record]);
  return [...bySession].map(([id, attempts]) => {
    const country = attempts.find((attempt) => attempt.clientCountry !== null)?.clientCountry?.toUpperCase();
    const region = Object.entries(generated.policy.regions).find(([, countries]) => country !== undefined && countries.includes(country))?.[0];
    return { id, clientRegion: country === undefined ? 'unknown' : (region ?? 'unmapped'), attempts };
  });
}

function datacenterRegion(generated: Sample, dcId: string): string | undefined {
  const dc = generated.policy.datacenters.find((candidate) => candidate.id === dcId);
  return dc?.region ?? Object.entries(generated.policy.regions).find(([, countries]) => dc !== undefined && countries.includes(dc.country))?.[0];
}

function tierOf(generated: Sample, attempt: AttemptRecord, clientRegion: string): string {
  const route = generated.policy.routing[clientRegion];
  return attempt.tier ?? (route?.primary.includes(attempt.dcId) ? 'primary' : route?.secondary.includes(attempt.dcId) ? 'secondary' : 'unlisted');
}

/** Share of connected sessions whose last connected attempt was tier secondary. */
function fallbackRate(generated: Sample, sessions: SessionView[]): number {
  const lastConnected = sessions.flatMap((session) => {
    const last = session.attempts.filter((attempt) => attempt.outcome === 'connected').at(-1);
    return last ? [tierOf(generated, last, session.clientRegion)] : [];
  });
  return lastConnected.filter((tier) => tier === 'secondary').length / lastConnected.length;
}

describe('generateSample', () => {
  it('writes the same bytes for the same seed and different ones for another seed', () => {
    const again = generateSample({ sessions: 400, seed: 7 });
    const twin = generateSample({ sessions: 400, seed: 7 });
    const other = generateSample({ sessions: 400, seed: 8 });
    expect(twin.files.map((f) => [f.path, f.content.toString('base64')])).toEqual(again.files.map((f) => [f.path, f.content.toString('base64')]));
    const logs = again.files.filter((f) => f.path.startsWith('connections-'));
    for (const log of logs) expect(file(other, log.path).equals(log.content), log.path).toBe(false);
  });

  it('matches the committed sample-logs/, so the folder never drifts from the generator', async () => {
    expect(await listFiles(SAMPLE_LOGS)).toEqual(sample.files.map((f) => f.path).sort());
    for (const generated of sample.files) {
      const committed = await readFile(path.join(SAMPLE_LOGS, generated.path));
      // Compared uncompressed: another zlib build may deflate the same text into other bytes.
      expect(text(generated.path, committed) === text(generated.path, generated.content), generated.path).toBe(true);
    }
    const original = await readFile(path.join(SAMPLE_LOGS, 'connections-2020-03-31.jsonl.gz'));
    expect((await readFile(path.join(SAMPLE_LOGS, 'redelivered/connections-2020-03-31-resend.jsonl.gz'))).equals(original)).toBe(true);
  });

  it('writes a policy that parses as YAML into the document the traffic was routed with', () => {
    const policy = parse(file(sample, 'policy.yaml').toString('utf8')) as Sample['policy'];
    expect(policy).toEqual(sample.policy);
    const catalog = new Set(policy.datacenters.map((dc) => dc.id));
    const listed = Object.values(policy.routing).flatMap((route) => [...route.primary, ...route.secondary]);
    expect(listed.filter((dcId) => !catalog.has(dcId))).toEqual([]);
    expect(Object.keys(policy.regions)).toEqual(['US', 'CA', 'EU', 'IN', 'AU', 'CN', 'LATAM', 'JP-HK']);
    // The whitelist mistake is the US one, and only it.
    const fencedOutside = Object.entries(policy.routing).flatMap(([region, route]) =>
      region === 'CN' ? [] : [...route.primary, ...route.secondary].filter((dcId) => datacenterRegion(sample, dcId) === 'CN').map((dcId) => `${region}:${dcId}`),
    );
    expect(fencedOutside).toEqual(['US:cn-pek1', 'US:cn-sha1']);
  });

  it('gzips without a modification time, and the re-delivered file is a byte copy', () => {
    const gzipped = sample.files.filter((f) => f.path.endsWith('.gz'));
    expect(gzipped.length).toBe(3);
    for (const f of gzipped) expect(f.content.readUInt32LE(4), f.path).toBe(0);
    expect(file(sample, 'redelivered/connections-2020-03-31-resend.jsonl.gz').equals(file(sample, 'connections-2020-03-31.jsonl.gz'))).toBe(true);
  });
});

describe('the sample log files', () => {
  const logFiles = sample.files.filter((f) => f.path.startsWith('connections-'));
  const recordsByKey = new Map(sample.records.map((record) => [`${record.sessionId}#${record.attempt}`, record]));

  it('carry every record exactly once, plus the duplicate and the listed faults, in every format', () => {
    const seen = new Map<string, number>();
    for (const log of logFiles) {
      const faults = new Map(sample.deliberate.filter((entry) => entry.file === log.path && entry.kind !== 'duplicate-record').map((entry) => [entry.line, entry.kind]));
      for (const { line, fields } of logLines(log.path, log.content)) {
        if (faults.has(line)) continue;
        const values = fields();
        const key = `${String(values.session_id)}#${String(values.attempt)}`;
        const record = recordsByKey.get(key);
        expect(record, `${log.path}:${line}`).toBeDefined();
        if (!record) continue;
        expect({
          ts: timestampMs(values.ts),
          dc_id: values.dc_id,
          outcome: values.outcome,
          tier: values.tier ?? null,
          latency_ms: Number(values.latency_ms),
          account_id: values.account_id ?? null,
          meeting_id: values.meeting_id,
          user_id: values.user_id,
          client_ip: values.client_ip ?? null,
          client_country: values.client_country ?? null,
          traffic: values.traffic,
        }).toEqual({
          ts: record.tsMs,
          dc_id: record.dcId,
          outcome: record.outcome,
          tier: record.tier,
          latency_ms: record.latencyMs,
          account_id: record.accountId,
          meeting_id: record.meetingId,
          user_id: record.userId,
          client_ip: record.clientIp,
          client_country: record.clientCountry,
          traffic: record.traffic,
        });
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(sample.records.length);
    expect([...seen].filter(([, count]) => count > 1)).toHaveLength(1);
  });

  it('plants each fault where the README says, and it fails the way it should', () => {
    expect(sample.deliberate.map((entry) => entry.kind).sort()).toEqual(
      ['bad-outcome', 'bad-timestamp', 'blank-line', 'duplicate-record', 'invalid-json', 'missing-session-id'].sort(),
    );
    for (const entry of sample.deliberate) {
      const lines = logLines(entry.file, file(sample, entry.file));
      const planted = lines.find((candidate) => candidate.line === entry.line);
      if (!planted) throw new Error(`${entry.file} has no line ${entry.line}`);
      switch (entry.kind) {
        case 'invalid-json':
          expect(planted.fields).toThrow(SyntaxError);
          break;
        case 'missing-session-id':
          expect(planted.fields().session_id ?? null).toBeNull();
          break;
        case 'bad-outcome':
          expect(planted.fields().outcome).toBe('ok');
          break;
        case 'bad-timestamp':
          expect(() => timestampMs(planted.fields().ts)).toThrow();
          break;
        case 'blank-line':
          expect(planted.text).toBe('');
          break;
        case 'duplicate-record': {
          const previousDay = logLines('connections-2020-03-30.jsonl', file(sample, 'connections-2020-03-30.jsonl'));
          expect(planted.text).toBe(previousDay.at(-1)?.text);
          break;
        }
      }
    }
    expect(file(sample, 'README.md').toString('utf8')).toContain(`| \`connections-2020-04-02.csv\` | ${sample.deliberate.find((e) => e.kind === 'bad-outcome')?.line} | bad outcome |`);
  });

  it('quotes CSV fields that hold a comma or a double quote', () => {
    const csv = file(sample, 'connections-2020-04-02.csv').toString('utf8');
    expect(csv).toMatch(/,"Zoom [^"\r\n]*, x64\)"\r\n/);
    const apps = logLines('connections-2020-04-02.csv', file(sample, 'connections-2020-04-02.csv')).map((line) => line.fields().client_app);
    expect(apps).toContain('Zoom 4.6.9 (Windows 10, x64)');
  });

  it('writes offsets for APAC clients and UTC for the others', () => {
    expect(isoTimestamp(Date.UTC(2020, 3, 1, 0, 0, 0, 250), 480)).toBe('2020-04-01T08:00:00.250+08:00');
    expect(isoTimestamp(Date.UTC(2020, 3, 1, 0, 0, 0, 250), 330)).toBe('2020-04-01T05:30:00.250+05:30');
    expect(isoTimestamp(Date.UTC(2020, 3, 1, 0, 0, 0, 250), -240)).toBe('2020-03-31T20:00:00.250-04:00');
    expect(isoTimestamp(Date.UTC(2020, 3, 1, 0, 0, 0, 250), null)).toBe('2020-04-01T00:00:00.250Z');
    const firstDay = text('connections-2020-03-30.jsonl', file(sample, 'connections-2020-03-30.jsonl'));
    expect(firstDay).toMatch(/"ts":"[^"]+\+08:00","session_id":"[0-9a-f]+","dc_id":"cn-/);
    expect(firstDay).toMatch(/"ts":"[^"]+Z","session_id":"[0-9a-f]+","dc_id":"us-/);
  });
});

describe('the sample scenario', () => {
  const sessions = sessionsOf(sample);
  const startDay = (session: SessionView) => new Date(session.attempts[0]?.tsMs ?? 0).toISOString().slice(0, 10);
  const scriptedIds = (kind: string) => new Set(sample.scripted.filter((entry) => entry.case === kind).map((entry) => entry.sessionId));

  it('has the requested sessions, about 1.6 attempts each, all inside the five sample days', () => {
    expect(sessions).toHaveLength(DEFAULTS.sessions);
    expect(sample.records.length / sessions.length).toBeGreaterThan(1.4);
    expect(sample.records.length / sessions.length).toBeLessThan(1.8);
    const times = sample.records.map((record) => record.tsMs);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(Date.UTC(2020, 2, 30));
    expect(Math.max(...times)).toBeLessThan(Date.UTC(2020, 3, 4));
  });

  it('numbers the attempts of a session in time order and keeps its meeting, user and account', () => {
    for (const session of sessions) {
      expect(session.attempts.map((attempt) => attempt.attempt)).toEqual(session.attempts.map((_, index) => index + 1));
      const times = session.attempts.map((attempt) => attempt.tsMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(new Set(session.attempts.map((attempt) => `${attempt.meetingId}/${attempt.userId}/${attempt.accountId}`)).size).toBe(1);
    }
  });

  it('surges US fallback above max_rate on the surge day only', () => {
    const usByDay = new Map<string, SessionView[]>();
    for (const session of sessions.filter((candidate) => candidate.clientRegion === 'US')) {
      usByDay.set(startDay(session), [...(usByDay.get(startDay(session)) ?? []), session]);
    }
    expect([...usByDay.keys()].sort()).toEqual(['2020-03-30', '2020-03-31', '2020-04-01', '2020-04-02', '2020-04-03']);
    for (const [day, daySessions] of usByDay) {
      const rate = fallbackRate(sample, daySessions);
      if (day === SURGE_DAY) expect(rate, day).toBeGreaterThan(sample.policy.fallback.max_rate);
      else expect(rate, day).toBeLessThan(sample.policy.fallback.max_rate);
    }
  });

  it('sends US and Canadian sessions to China, some with key exchange, and keeps Chinese clients at home', () => {
    const connectedToChina = (session: SessionView) =>
      session.attempts.some((attempt) => attempt.outcome === 'connected' && datacenterRegion(sample, attempt.dcId) === 'CN');
    const keyExchangeWithChina = (session: SessionView) =>
      session.attempts.some((attempt) => attempt.traffic === 'key_exchange' && datacenterRegion(sample, attempt.dcId) === 'CN');
    for (const region of ['US', 'CA']) {
      const reached = sessions.filter((session) => session.clientRegion === region && connectedToChina(session));
      expect(reached.length, region).toBeGreaterThan(0);
      expect(reached.filter(keyExchangeWithChina).length, region).toBeGreaterThan(0);
      if (region === 'CA') expect(reached.every((session) => startDay(session) === SURGE_DAY)).toBe(true);
    }
    const chinese = sessions.filter((session) => session.clientRegion === 'CN');
    expect(chinese.length).toBeGreaterThan(0);
    expect(chinese.every((session) => session.attempts.every((attempt) => datacenterRegion(sample, attempt.dcId) === 'CN'))).toBe(true);
  });

  it('falls back prematurely, and tries unknown datacenters, only in the scripted sessions', () => {
    const timeoutMs = sample.policy.fallback.primary_timeout_ms;
    const premature = sessions.filter((session) => {
      const tiered = session.attempts.map((attempt) => ({ ...attempt, tier: tierOf(sample, attempt, session.clientRegion) }));
      const firstPrimary = tiered.find((attempt) => attempt.tier === 'primary');
      const firstSecondary = tiered.find((attempt) => attempt.tier === 'secondary');
      if (!firstSecondary) return false;
      if (!firstPrimary || firstPrimary.tsMs > firstSecondary.tsMs) return true;
      const primariesBefore = tiered.filter((attempt) => attempt.tier === 'primary' && attempt.tsMs < firstSecondary.tsMs);
      const onlyQuickFailures = primariesBefore.every((attempt) => attempt.outcome === 'refused' || attempt.outcome === 'error');
      return !onlyQuickFailures && firstSecondary.tsMs - firstPrimary.tsMs < timeoutMs;
    });
    expect(new Set(premature.map((session) => session.id))).toEqual(new Set([...scriptedIds('premature-fallback'), ...scriptedIds('secondary-first')]));

    const catalog = new Set(sample.policy.datacenters.map((dc) => dc.id));
    const unknown = sessions.filter((session) => session.attempts.some((attempt) => !catalog.has(attempt.dcId)));
    expect(new Set(unknown.map((session) => session.id))).toEqual(scriptedIds('unknown-datacenter'));
  });

  it('has sessions of unknown and unmapped region, and sessions that never connect', () => {
    const unknownRegion = sessions.filter((session) => session.clientRegion === 'unknown');
    expect(unknownRegion.filter((session) => session.attempts.every((attempt) => attempt.clientIp === null)).map((session) => session.id).sort()).toEqual(
      [...scriptedIds('unknown-region')].sort(),
    );
    expect(sessions.filter((session) => session.clientRegion === 'unmapped').map((session) => session.id).sort()).toEqual([...scriptedIds('unmapped-region')].sort());
    const neverConnected = sessions.filter((session) => !session.attempts.some((attempt) => attempt.outcome === 'connected')).map((session) => session.id);
    for (const id of scriptedIds('never-connected')) expect(neverConnected).toContain(id);
  });

  it('connects restricted accounts outside their allowed regions', () => {
    const allowed = new Map(sample.policy.accounts.map((account) => [account.id, new Set([account.home_region, ...account.allowed_regions])]));
    const violations = sample.records.filter(
      (record) => record.outcome === 'connected' && record.accountId !== null && allowed.has(record.accountId) && !allowed.get(record.accountId)?.has(datacenterRegion(sample, record.dcId) ?? ''),
    );
    const kinds = new Set(violations.map((record) => `${record.accountId}@${datacenterRegion(sample, record.dcId)}`));
    expect(kinds).toContain('acme@EU');
    expect(kinds).toContain('hansa-logistik@US');
    expect([...kinds].filter((kind) => !['acme@EU', 'acme@CN', 'hansa-logistik@US'].includes(kind))).toEqual([]);
    expect(violations.some((record) => record.accountId === 'acme' && record.dcId === 'eu-ams1')).toBe(true);
    expect(violations.some((record) => record.accountId === 'acme' && record.dcId === 'eu-fra1')).toBe(true);
  });
});

describe('sampleCommand', () => {
  it('writes the files into the folder and lists them on stderr', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'routeaudit-sample-'));
    try {
      let stderr = '';
      const io: Io = {
        stdout: () => {},
        stderr: (chunk) => {
          stderr += chunk;
        },
        stdoutBytes: () => {},
        stderrIsTTY: false,
        self: 'routeaudit',
        color: false,
        now: () => new Date(Date.UTC(2020, 3, 5)),
        cwd: dir,
      };
      expect(await sampleCommand({ out: 'out', sessions: 300, seed: 11, force: false }, io)).toBe(0);
      const expected = generateSample({ sessions: 300, seed: 11 });
      expect(await listFiles(path.join(dir, 'out'))).toEqual(expected.files.map((f) => f.path).sort());
      for (const f of expected.files) {
        expect((await readFile(path.join(dir, 'out', f.path))).equals(f.content), f.path).toBe(true);
        expect(stderr).toMatch(new RegExp(`${path.join('out', f.path).replaceAll('.', '\\.')}\\s+${f.lines} lines`));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
