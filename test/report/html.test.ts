import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderHtml } from '../../src/report/html.js';
import { cleanReport, fixtureReport } from '../fixtures/report/fixture.js';
import { hostileString, withFreeText } from '../fixtures/report/hostile.js';

/** Every tag with its attributes, in document order: the markup a value must not be able to change. */
function tags(html: string): string[] {
  return html.match(/<[^>]*>/g) ?? [];
}

function count(text: string, character: string): number {
  return text.split(character).length - 1;
}

describe('renderHtml', () => {
  it('is one self-contained page under a strict Content-Security-Policy, with no script', () => {
    const html = renderHtml(fixtureReport());
    expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    );
    expect(html).not.toMatch(/<script|<link|<iframe|<object|<img|@import|url\(|https?:|\bsrc=|\bhref=/i);
    expect(html).toContain('@media print');
  });

  it('draws the incident timeline and the fallback chart as accessible inline SVG', () => {
    const html = renderHtml(fixtureReport());
    const charts = html.match(/<svg [^>]*>/g) ?? [];
    expect(charts).toHaveLength(2);
    for (const chart of charts) expect(chart).toMatch(/role="img" aria-labelledby="[a-z]+-title [a-z]+-desc"/);
    expect(html).toContain('<title id="timeline-title">Incident timeline (UTC)</title>');
    expect(html).toContain('<title id="fallback-title">Fallback share over time per client region (UTC)</title>');
    // One bar per incident, coloured by severity.
    expect(html.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="18" rx="3" fill="#[0-9a-f]{6}">/g)).toHaveLength(2);
    // The threshold line, and a line for each region with a flagged window.
    expect(html).toContain('max_rate 5%</text>');
    expect(html).toContain('for client regions US, CA;');
    expect(html.match(/<polyline /g)?.length).toBeGreaterThanOrEqual(2);
    // UTC axis labels whatever the machine's zone.
    expect(html).toContain('<tspan x="');
    expect(html).toMatch(/>15:00<\/tspan>/);
    expect(html).toMatch(/>2020-04-01<\/tspan>/);
  });

  it('carries the same content as the summary', () => {
    const html = renderHtml(fixtureReport());
    for (const text of [
      'Verdict: 1 new incident, 1 ongoing',
      '3 sessions from client region US connected to a fenced datacenter in region CN, 1 session with key exchange there.',
      '2020-04-01 14:05:12 UTC to 2020-04-01 15:41:30 UTC (1 h 36 min between first and last session start)',
      'cn-pek1 (Telstra, CN; placed by id and by address in its networks): 2 sessions',
      '1.2.4.8 (not in the policy catalog; its address is in CN by the geo database): 1 session',
      'key exchange on 1 session',
      'Remove cn-pek1 from routing.US.secondary',
      'I-77d0e4b1c2a9',
      'routing.US.secondary[2]',
      'approved exception SEC-1',
      'suppressed by suppressions[2]: planned ca-yyz1 maintenance CHG-7',
      'unmapped',
      'Every line is accounted for: 1250 read = 1230 loaded + 12 duplicates + 8 rejected.',
    ]) {
      expect(html).toContain(escapeHtml(text));
    }
  });

  it('leaves out the charts it has nothing to draw for', () => {
    const report = cleanReport();
    report.fallbackWindows = [];
    const html = renderHtml(report);
    expect(html).not.toContain('<svg');
    expect(html).toContain('Verdict: clean');
  });

  it('escapes the five significant characters and neutralises control and bidi characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(escapeHtml('a\u0000b\u202ec\nd')).toBe('a\ufffdb\ufffdc d');
  });

  it('shows a hostile session id as text', () => {
    const html = renderHtml(withFreeText(fixtureReport(), '"><img src=x onerror=alert(1)>'));
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
  });

  it('lets no value from the logs add or change a tag or an attribute (property)', () => {
    const benign = renderHtml(withFreeText(fixtureReport(), 'x'));
    const benignTags = tags(benign);
    fc.assert(
      fc.property(hostileString(), (value) => {
        const hostile = renderHtml(withFreeText(fixtureReport(), value));
        expect(tags(hostile)).toEqual(benignTags);
        expect(count(hostile, '<')).toBe(count(benign, '<'));
        expect(count(hostile, '>')).toBe(count(benign, '>'));
        expect(count(hostile, '"')).toBe(count(benign, '"'));
        expect(hostile).not.toMatch(/<script/i);
        expect(hostile).not.toContain('\u0000');
      }),
      { numRuns: 200 },
    );
  });
});
