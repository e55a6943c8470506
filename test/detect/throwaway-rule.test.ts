import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/db/shape.js';
import { loadRegistry } from '../../src/detect/registry.js';
import { PolicyError } from '../../src/errors.js';
import { parsePolicy } from '../../src/policy/load.js';
import { QUERIES_DIR } from '../../src/queries.js';
import { renderAffectedSessionsCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderFindingsJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderOcsf } from '../../src/report/ocsf.js';
import { tempDir } from '../helpers.js';
import { audit, findingOf, sessionsOf } from './audit-helpers.js';
import { examplePolicy } from './fixture-policy.js';

const THROWAWAY = fileURLToPath(new URL('../fixtures/throwaway-rules/', import.meta.url));

/** A queries/detections folder of the real rules plus the throwaway ones: nothing else changes. */
function registryWithThrowawayRules() {
  const dir = join(tempDir(), 'detections');
  mkdirSync(dir);
  for (const source of [join(QUERIES_DIR, 'detections'), THROWAWAY]) {
    for (const file of readdirSync(source).filter((f) => f.endsWith('.sql'))) copyFileSync(join(source, file), join(dir, file));
  }
  return loadRegistry(dir);
}

const POLICY_YAML = (suppression: string) => `version: 1
regions: { US: [US], CA: [CA] }
datacenters:
  - { id: us-sjc1, country: US }
  - { id: ca-yyz1, country: CA }
suppressions:
  - ${suppression}
`;

describe('a rule added as one .sql file', () => {
  it('runs as a session, a window or a policy rule, and reaches every report format', async () => {
    const registry = registryWithThrowawayRules();
    const policy = examplePolicy({
      suppressions: [
        { index: 0, rule: 'operator-watch', account: 'acme', datacenter: null, clientRegion: null, until: '2030-01-01T00:00:00.000Z', reason: 'reviewed SEC-9' },
        { index: 1, rule: 'half-secondary', account: null, datacenter: null, clientRegion: 'CA', until: '2030-01-01T00:00:00.000Z', reason: 'CA drill SEC-10' },
      ],
    });
    const report = await audit(
      [
        { session: 'us-keys', at: 0, dc: 'ca-yyz1', country: 'US', traffic: 'key_exchange' },
        { session: 'us-plain', at: 60, dc: 'ca-yyz1', country: 'US', traffic: 'media' },
        { session: 'us-acme', at: 120, dc: 'ca-yyz1', country: 'US', account: 'acme' },
        { session: 'us-home', at: 180, dc: 'us-sjc1', country: 'US' },
        // CA: one session, ended on the secondary us-iad1; the half-secondary window is suppressed.
        { session: 'ca-fallback', at: 240, dc: 'ca-yyz1', country: 'CA', outcome: 'timeout' },
        { session: 'ca-fallback', at: 246, dc: 'us-iad1', country: 'CA' },
      ],
      { policy, registry },
    );
    expect(sessionsOf(report, 'operator-watch', 'active')).toEqual(['us-keys', 'us-plain']);
    expect(sessionsOf(report, 'operator-watch', 'suppressed')).toEqual(['us-acme']);
    expect(findingOf(report, 'operator-watch', 'us-keys').severity).toBe('high');
    expect(findingOf(report, 'operator-watch', 'us-plain').severity).toBe('low');

    const incident = report.incidents.find((i) => i.rule === 'operator-watch');
    expect(incident).toMatchObject({
      severity: 'high',
      title: 'US sessions reached watched datacenters in CA',
      summary: '2 sessions from client region US connected to the watched ca-yyz1, 1 session with key exchange there.',
      cause: 'ca-yyz1 is on the watch list.',
      action: 'Review these sessions with the operator of ca-yyz1.',
    });
    // The window rule: US has 3 of 4 connected sessions on the secondary ca-yyz1 (US's secondary list), CA 1 of 1.
    const halves = report.fallbackWindows.filter((w) => w.rule === 'half-secondary');
    expect(halves.map((w) => [w.clientRegion, w.severity, w.viaSecondary, w.connected, w.flags, w.suppression?.index ?? null])).toEqual([
      ['CA', 'high', 1, 1, ['max-rate'], 1],
      ['US', 'high', 3, 4, ['max-rate'], null],
    ]);
    expect(report.verdict.flaggedFallbackWindows).toBe(1);
    expect(report.fallbackWindows.filter((w) => w.rule === 'fallback-rate').length).toBeGreaterThan(0);
    expect(report.policyFindings.filter((f) => f.rule === 'no-secondary').map((f) => [f.id, f.severity, f.path])).toEqual([['N-CN', 'medium', 'routing.CN.secondary']]);

    const markdown = renderMarkdown(report);
    const html = renderHtml(report);
    for (const text of [markdown, html]) {
      expect(text).toContain('US sessions reached watched datacenters in CA');
      expect(text).toContain('2 sessions from client region US connected to the watched ca-yyz1');
      expect(text).toContain('N-CN');
      expect(text).toContain('reviewed SEC-9');
      // Two window rules: each window row says which rule rated it.
      expect(text).toContain('half-secondary');
      expect(text).toContain('CA drill SEC-10');
    }
    const json = JSON.parse(renderFindingsJson(report)) as { incidents: { rule: string }[]; findings: { rule: string; status: string }[]; policyFindings: { rule: string }[] };
    expect(json.incidents.map((i) => i.rule)).toContain('operator-watch');
    expect(json.findings.filter((f) => f.rule === 'operator-watch').map((f) => f.status).sort()).toEqual(['active', 'active', 'suppressed']);
    expect(json.policyFindings.map((f) => f.rule)).toContain('no-secondary');
    expect((json as unknown as { fallbackWindows: { rule: string }[] }).fallbackWindows.filter((w) => w.rule === 'half-secondary')).toHaveLength(2);
    const csv = renderAffectedSessionsCsv(report).split('\n');
    // Active and suppressed findings alike: the CSV lists every session finding.
    expect(csv.filter((line) => line.includes('operator-watch'))).toHaveLength(3);
    const ocsf = JSON.parse(renderOcsf(report)) as { finding_info: { types?: string[]; title: string } }[];
    expect(ocsf.some((event) => event.finding_info.title === 'US sessions reached watched datacenters in CA')).toBe(true);
    expect(ocsf.some((event) => event.finding_info.types?.includes('no-secondary'))).toBe(true);
    expect(ocsf.filter((event) => event.finding_info.types?.[0] === 'half-secondary')).toHaveLength(2);
  });

  it('may be named by a suppression, narrowed only by the keys its header allows; a policy rule may not be', () => {
    const registry = registryWithThrowawayRules();
    const accepted = parsePolicy(POLICY_YAML('{ rule: operator-watch, account: acme, until: 2030-01-01, reason: r }'), 'policy.yaml', registry);
    expect(accepted.suppressions.map((s) => s.rule)).toEqual(['operator-watch']);

    const problems = (yaml: string, rules = registry) => {
      try {
        parsePolicy(yaml, 'policy.yaml', rules);
      } catch (error) {
        if (error instanceof PolicyError) return error.problems.map((p) => p.message);
        throw error;
      }
      return [];
    };
    expect(problems(POLICY_YAML('{ rule: operator-watch, account: acme, until: 2030-01-01, reason: r }'), loadRegistry())[0]).toMatch(/^unknown rule "operator-watch"/);
    expect(problems(POLICY_YAML('{ rule: operator-watch, client_region: US, until: 2030-01-01, reason: r }'))).toEqual([
      '"operator-watch" findings cannot be narrowed by client_region, so this suppression would never match (operator-watch may be suppressed by account, datacenter)',
    ]);
    expect(problems(POLICY_YAML('{ rule: no-secondary, client_region: US, until: 2030-01-01, reason: r }'))[0]).toMatch(/^"no-secondary" findings are about the policy itself/);
  });
});

describe('a rule whose result has the wrong shape', () => {
  function registryWith(file: string, sql: string) {
    const dir = join(tempDir(), 'detections');
    mkdirSync(dir);
    for (const f of readdirSync(join(QUERIES_DIR, 'detections')).filter((name) => name.endsWith('.sql'))) copyFileSync(join(QUERIES_DIR, 'detections', f), join(dir, f));
    writeFileSync(join(dir, file), sql);
    return { registry: loadRegistry(dir), path: join(dir, file) };
  }
  const watch = readFileSync(join(THROWAWAY, 'operator-watch.sql'), 'utf8');

  it('is refused before its rows are filed, naming the file and each column at fault', async () => {
    const { registry, path } = registryWith('operator-watch.sql', watch.replace('AS detail', 'AS details'));
    const failure = audit([{ session: 's', at: 0, dc: 'ca-yyz1', country: 'US' }], { registry });
    await expect(failure).rejects.toBeInstanceOf(ShapeError);
    await expect(failure).rejects.toThrow(
      `${path}: its result is not a session rule row with a raised severity: it lacks the column "detail"; it has the column "details", which a session rule row with a raised severity does not have`,
    );
  });

  it('is refused when it selects `raised` without saying in its header what raises the severity', async () => {
    const { registry } = registryWith('operator-watch.sql', watch.replace(/^-- raised: .*\n/m, ''));
    await expect(audit([{ session: 's', at: 0, dc: 'ca-yyz1', country: 'US' }], { registry })).rejects.toThrow(
      /it has the column "raised", which a session rule row does not have/,
    );
  });

  it('is refused when a column has another type', async () => {
    const { registry } = registryWith('operator-watch.sql', watch.replace('a.line_no AS evidence_line_no', "'7' AS evidence_line_no"));
    await expect(audit([{ session: 's', at: 0, dc: 'ca-yyz1', country: 'US' }], { registry })).rejects.toThrow(
      /it has the column "evidence_line_no" as VARCHAR, expected an integer/,
    );
  });
});
