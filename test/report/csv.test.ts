import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditReport, SessionFinding } from '../../src/detect/model.js';
import { renderAffectedSessionsCsv } from '../../src/report/csv.js';
import { fixtureReport } from '../fixtures/report/fixture.js';
import { hostileString } from '../fixtures/report/hostile.js';
import { present } from '../fixtures/report/present.js';

const CONTRACT_COLUMNS = [
  'incident_id',
  'rule',
  'finding_severity',
  'status',
  'session_id',
  'account_id',
  'meeting_id',
  'user_id',
  'client_country',
  'client_region',
  'datacenter',
  'datacenter_region',
  'session_start',
];

/** A strict RFC 4180 reader: every record ends in CRLF; a quote may only open a field or be doubled inside one. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let index = 0;
  while (index < text.length) {
    if (text[index] === '"' && field === '') {
      index++;
      for (;;) {
        if (index >= text.length) throw new Error('unterminated quoted field');
        if (text[index] === '"' && text[index + 1] === '"') {
          field += '"';
          index += 2;
        } else if (text[index] === '"') {
          index++;
          break;
        } else {
          field += text[index++];
        }
      }
      if (text[index] !== ',' && text.slice(index, index + 2) !== '\r\n') throw new Error(`text after a closing quote at ${index}`);
      continue;
    }
    if (text[index] === ',') {
      record.push(field);
      field = '';
      index++;
    } else if (text.slice(index, index + 2) === '\r\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index += 2;
    } else if (text[index] === '"' || text[index] === '\r' || text[index] === '\n') {
      throw new Error(`bare ${JSON.stringify(text[index])} in an unquoted field at ${index}`);
    } else {
      field += text[index++];
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record lacks its CRLF');
  return records;
}

/** What a script does to undo the neutralisation. */
function unneutralise(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

function rows(report: AuditReport): Record<string, string>[] {
  const [header, ...records] = parseCsv(renderAffectedSessionsCsv(report));
  const names = present(header, 'a header record');
  return records.map((record) => Object.fromEntries(record.map((cell, index) => [present(names[index], `a header for column ${index}`), unneutralise(cell)])));
}

describe('renderAffectedSessionsCsv', () => {
  it('starts with the contract columns, named exactly', () => {
    const header = present(parseCsv(renderAffectedSessionsCsv(fixtureReport()))[0], 'a header record');
    expect(header.slice(0, CONTRACT_COLUMNS.length)).toEqual(CONTRACT_COLUMNS);
    expect(header).toContain('suppression_reason');
  });

  it('has one row per finding, suppressed included, sorted by session start, rule and session id', () => {
    const report = fixtureReport();
    report.findings.reverse();
    const sameStart = { ...present(report.findings[0], 'a finding'), rule: 'unlisted-datacenter', sessionId: 's-0000', sessionStart: '2020-04-01T14:31:40.000Z' };
    report.findings.push(sameStart, { ...sameStart, sessionId: 's-9999', rule: 'account-routing' });
    expect(rows(report).map((row) => [row.session_start, row.rule, row.session_id, row.status])).toEqual([
      ['2020-04-01T09:12:00.000Z', 'account-routing', 's-2001', 'active'],
      ['2020-04-01T09:40:45.000Z', 'account-routing', 's-2002', 'active'],
      ['2020-04-01T10:02:00.000Z', 'country-mismatch', 's-4001', 'active'],
      ['2020-04-01T11:20:00.000Z', 'account-routing', 's-3001', 'suppressed'],
      ['2020-04-01T14:05:12.000Z', 'geofence', 's-1001', 'active'],
      ['2020-04-01T14:31:40.000Z', 'account-routing', 's-9999', 'active'],
      ['2020-04-01T14:31:40.000Z', 'geofence', 's-1002', 'active'],
      ['2020-04-01T14:31:40.000Z', 'unlisted-datacenter', 's-0000', 'active'],
      ['2020-04-01T15:41:30.000Z', 'geofence', 's-1003', 'active'],
      ['2020-04-01T16:20:00.000Z', 'country-mismatch', 's-4002', 'active'],
    ]);
  });

  it('fills the columns from the finding: the suppressed one has no incident and names its suppression', () => {
    const suppressed = rows(fixtureReport()).find((row) => row.session_id === 's-3001');
    expect(suppressed).toMatchObject({
      incident_id: '',
      rule: 'account-routing',
      finding_severity: 'high',
      status: 'suppressed',
      account_id: 'acme',
      client_region: 'US',
      datacenter: 'eu-ams1',
      datacenter_region: 'EU',
      traffic: 'media;signaling',
      evidence_line: '301',
      suppression_reason: 'approved exception SEC-1',
    });
  });

  it('gives each row the finding\'s own severity and the incident\'s, named apart, and the other incidents of its session', () => {
    const report = fixtureReport();
    // s-1002 is in the critical geofence incident with a high finding, and in a second incident too.
    report.findings = report.findings.map((f) =>
      f.sessionId === 's-1002' && f.rule === 'geofence' ? { ...f, severity: 'high', otherIncidentIds: ['I-a81c5e0f9b36'] } : f,
    );
    const row = rows(report).find((r) => r.session_id === 's-1002')!;
    expect(row).toMatchObject({ finding_severity: 'high', incident_severity: 'critical', also_in_incidents: 'I-a81c5e0f9b36' });
    expect(Object.keys(row).filter((k) => k.includes('severity'))).toEqual(['finding_severity', 'incident_severity']);
  });

  it('ends records with CRLF and quotes only what needs it', () => {
    const csv = renderAffectedSessionsCsv(fixtureReport());
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(csv).toContain(',"Account globex (home EU, allowed EU) connected to us-iad1 in region US.",');
  });

  it('neutralises formulas with a leading quote', () => {
    const report = fixtureReport();
    const values = ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', "'=x", 'plain'];
    const first = present(report.findings[0], 'a finding');
    report.findings = values.map((value, index) => ({ ...first, sessionStart: `2020-04-01T0${index}:00:00.000Z`, sessionId: value }));
    const cells = parseCsv(renderAffectedSessionsCsv(report))
      .slice(1)
      .map((record) => record[4]);
    expect(cells).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\t=1", "'\r=1", "''=x", 'plain']);
  });

  it('round-trips any value exactly and never starts a cell with a formula character (property)', () => {
    const base = present(fixtureReport().findings[3], 'a fourth finding');
    const text = hostileString();
    const optional = fc.option(hostileString(), { nil: null });
    const finding = fc.record({
      sessionId: text,
      accountId: optional,
      meetingId: optional,
      userId: optional,
      clientCountry: optional,
      clientRegion: text,
      datacenter: text,
      datacenterRegion: text,
      traffic: fc.array(text.filter((value) => !value.includes(';')), { maxLength: 3 }),
      detail: text,
      file: text,
      outcome: text,
      tier: text,
      reason: text,
    });
    fc.assert(
      fc.property(finding, (values) => {
        const hostile: SessionFinding = {
          ...base,
          ...values,
          evidence: { ...base.evidence, file: values.file, outcome: values.outcome, tier: values.tier },
          suppression: { index: 0, reason: values.reason, until: '2030-01-01T00:00:00.000Z' },
        };
        const csv = renderAffectedSessionsCsv({ ...fixtureReport(), findings: [hostile] });
        const records = parseCsv(csv);
        expect(records).toHaveLength(2);
        for (const cell of present(records[1], 'a data record')) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
        const [row] = rows({ ...fixtureReport(), findings: [hostile] });
        expect(row).toMatchObject({
          session_id: values.sessionId,
          account_id: values.accountId ?? '',
          meeting_id: values.meetingId ?? '',
          user_id: values.userId ?? '',
          client_country: values.clientCountry ?? '',
          client_region: values.clientRegion,
          datacenter: values.datacenter,
          datacenter_region: values.datacenterRegion,
          traffic: values.traffic.join(';'),
          detail: values.detail,
          evidence_file: values.file,
          evidence_outcome: values.outcome,
          evidence_tier: values.tier,
          suppression_reason: values.reason,
        });
      }),
      { numRuns: 300 },
    );
  });
});
