import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../../src/report/markdown.js';
import { cleanReport, fixtureReport } from '../fixtures/report/fixture.js';
import { hostileString, withFreeText } from '../fixtures/report/hostile.js';

/** Characters that open a Markdown or GFM construct, counted where no backslash escapes them. */
const SIGNIFICANT = ['|', '`', '<', '>', '*', '_', '[', ']', '~', '&', '$'];
const ALPHANUMERIC = /[A-Za-z0-9]/;

function unescapedCounts(line: string): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(SIGNIFICANT.map((character) => [character, 0]));
  for (let index = 0; index < line.length; index++) {
    const character = line.charAt(index);
    if (character === '\\') {
      index++;
      continue;
    }
    // CommonMark: an underscore inside a word can neither open nor close emphasis.
    const insideWord = character === '_' && ALPHANUMERIC.test(line[index - 1] ?? '') && ALPHANUMERIC.test(line[index + 1] ?? '');
    const count = counts[character];
    if (count !== undefined && !insideWord) counts[character] = count + 1;
  }
  return counts;
}

describe('renderMarkdown', () => {
  it('opens with the verdict, the highest severity and the audit window', () => {
    const lines = renderMarkdown(fixtureReport()).split('\n');
    expect(lines[0]).toBe('# routeaudit report 20200401T0000Z_20200402T0000Z_p9f2c4e7a');
    expect(lines[2]).toBe('**Verdict: 1 new incident, 1 ongoing (5 distinct sessions)** — highest severity critical');
    expect(lines).toContain(
      '- **Audit window:** 2020-04-01 00:00:00 UTC to 2020-04-02 00:00:00 UTC (a session belongs to the window by its start)',
    );
  });

  it('never reads clean when an input failed: the verdict says incomplete and the section names the file and reason', () => {
    const report = cleanReport();
    const failed = {
      ...report,
      verdict: { ...report.verdict, status: 'incomplete' as const, inputProblems: 1 },
      inputProblems: [{ kind: 'failed' as const, file: 'logs/b.jsonl.gz', reason: 'not a gzip file (corrupt or truncated)', linesRead: 0, rejected: 0 }],
    };
    const markdown = renderMarkdown(failed);
    expect(markdown.split('\n')[2]).toBe('**Verdict: INCOMPLETE: 1 input problem (see Input problems); no finding in what was read**');
    expect(markdown).not.toContain('Verdict: clean');
    expect(markdown).toContain('| failed | logs/b.jsonl.gz | failed to load: not a gzip file (corrupt or truncated) |');
  });

  it('says clean when nothing was found', () => {
    const markdown = renderMarkdown(cleanReport());
    expect(markdown.split('\n')[2]).toBe('**Verdict: clean**');
    expect(markdown).toContain('No incidents: no active session finding in the audit window.');
  });

  it('names a policy-only verdict instead of calling it clean', () => {
    const report = cleanReport();
    report.verdict = { ...report.verdict, status: 'findings', policyFindings: 1, highestSeverity: 'critical' };
    expect(renderMarkdown(report).split('\n')[2]).toBe('**Verdict: no incidents, 1 policy finding** — highest severity critical');
  });

  it('tells each incident: when, blast radius, where, key exchange, cause, action and ids', () => {
    const markdown = renderMarkdown(fixtureReport());
    const incident = markdown.slice(markdown.indexOf('### 1.'), markdown.indexOf('### 2.'));
    expect(incident).toContain('### 1. NEW · critical · US sessions connected to a fenced datacenter in CN');
    expect(incident).toContain('3 sessions from client region US connected to a fenced datacenter in region CN, 1 session with key exchange there.');
    expect(incident).toContain('2020-04-01 14:05:12 UTC to 2020-04-01 15:41:30 UTC (1 h 36 min between first and last session start)');
    expect(incident).toContain('3 sessions, 2 accounts (acme, globex), 2 meetings, 3 users; client countries: US');
    expect(incident).toContain(
      '- **Where:** cn-pek1 (Telstra, CN; placed by id and by address in its networks): 2 sessions; 1.2.4.8 (not in the policy catalog; its address is in CN by the geo database): 1 session',
    );
    expect(incident).toContain('**key exchange on 1 session**');
    expect(incident).toContain('- **Probable cause:** cn-pek1 is on the US secondary whitelist');
    expect(incident).toContain('- **What to do:** Remove cn-pek1 from routing.US.secondary');
    expect(incident).toContain('- **Incident id:** I-3f9a1c2b7d4e; cause findings: W-5b2e91c4d07a');
  });

  it('lists only flagged fallback windows, with the suppressed one marked, and a summary per region', () => {
    const markdown = renderMarkdown(fixtureReport());
    const flagged = markdown.slice(markdown.indexOf('### Flagged windows'), markdown.indexOf('### Per client region'));
    expect(flagged.split('\n').filter((line) => line.startsWith('| US') || line.startsWith('| CA'))).toEqual([
      '| CA | 2020-04-01 15:00 UTC | 24 | 22 | 3 | 13.6% | 2% | 2 | over max_rate | suppressed by suppressions\\[2\\]: planned ca-yyz1 maintenance CHG-7 |',
      '| US | 2020-04-01 14:00 UTC | 52 | 50 | 19 | 38% | 2% | 2 | over max_rate, far above baseline | active |',
      '| US | 2020-04-01 15:00 UTC | 47 | 43 | 9 | 20.9% | 2% | 4 | over max_rate, far above baseline | active |',
    ]);
    expect(markdown).toContain('| US | 7 | 7 | 2 | 38% | 2020-04-01 14:00 UTC | 2% | 318 | 10 |');
    expect(markdown).toContain('| EU | 1 | 0 | 0 | — | — | — | 6 | 0 |');
  });

  it('groups suppressed findings and accounts for every ingested line', () => {
    const markdown = renderMarkdown(fixtureReport());
    expect(markdown).toContain(
      '| account-routing | suppressions\\[0\\]: approved exception SEC-1 (until 2030-01-01 00:00:00 UTC) | 1 | s-3001 |',
    );
    expect(markdown).toContain('| unknown | 3 | 2 | 1 | 1 |');
    expect(markdown).toContain('Every line is accounted for: 1250 read = 1230 loaded + 12 duplicates + 8 rejected.');
  });

  it('says so when the ingest counts do not add up', () => {
    const report = fixtureReport();
    report.ingest = { ...report.ingest, rejected: 7 };
    expect(renderMarkdown(report)).toContain('The lines do not add up: 1250 read but 1249 accounted for');
  });

  it('escapes what would start Markdown, HTML or a table cell, and flattens line breaks', () => {
    expect(escapeMarkdown('a|b`c<d>e*f _g[h]i~j&k$l\\m')).toBe('a\\|b\\`c\\<d\\>e\\*f \\_g\\[h\\]i\\~j\\&k\\$l\\\\m');
    expect(escapeMarkdown('key_exchange _lead trail_ a__b')).toBe('key_exchange \\_lead trail\\_ a\\_\\_b');
    expect(escapeMarkdown('one\ntwo\r\nthree')).toBe('one two  three');
    expect(escapeMarkdown('nul\u0000 rlo\u202e')).toBe('nul\ufffd rlo\ufffd');
  });

  it('keeps its structure whatever the logs contain (property)', () => {
    const benign = renderMarkdown(withFreeText(fixtureReport(), 'x')).split('\n');
    fc.assert(
      fc.property(hostileString(), (value) => {
        const hostile = renderMarkdown(withFreeText(fixtureReport(), value)).split('\n');
        expect(hostile).toHaveLength(benign.length);
        hostile.forEach((line, index) => {
          // In range: both have the same number of lines, checked above.
          expect(unescapedCounts(line), `line ${index}: ${line}`).toEqual(unescapedCounts(benign[index]!));
        });
      }),
      { numRuns: 300 },
    );
  });
});
