import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/detect/model.js';
import { prose, type Table } from '../../src/report/document.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { reportDocument } from '../../src/report/sections.js';
import { cleanReport, fixtureReport } from '../fixtures/report/fixture.js';
import { present } from '../fixtures/report/present.js';

interface RenderedTable {
  headers: string[];
  rightAligned: boolean[];
  rows: number;
}

/** The tables the document says are drawn, in document order: an empty one with a sentence for it is not. */
function specTables(report: AuditReport): Table[] {
  return reportDocument(report)
    .sections.flatMap((section) => section?.blocks ?? [])
    .flatMap((block) => (block.kind === 'table' ? [block.table] : []))
    .filter((table) => table.rows.length > 0 || table.empty === null);
}

function expected(table: Table): RenderedTable {
  return {
    headers: table.columns.map((column) => column.header),
    rightAligned: table.columns.map((column) => column.format === 'number'),
    rows: table.rows.length,
  };
}

/** GFM tables: a header row, the alignment row, then the body rows, all starting with '| '. */
function markdownTables(markdown: string): RenderedTable[] {
  const tables: string[][] = [];
  let current: string[] | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| ')) {
      current = null;
      continue;
    }
    if (current === null) tables.push((current = []));
    current.push(line);
  }
  const cells = (line: string): string[] => line.slice(2, -2).split(' | ');
  return tables.map(([header, separator, ...body]) => ({
    headers: cells(present(header, 'a header row')),
    rightAligned: cells(present(separator, 'an alignment row')).map((cell) => cell === '---:'),
    rows: body.length,
  }));
}

function htmlTables(html: string): RenderedTable[] {
  return [...html.matchAll(/<thead><tr>(.*?)<\/tr><\/thead><tbody>(.*?)<\/tbody>/g)].map(([, head = '', body = '']) => {
    const headers = [...head.matchAll(/<th( class="num")?>(.*?)<\/th>/g)];
    return {
      headers: headers.map(([, , label = '']) => label),
      rightAligned: headers.map(([, numeric]) => numeric !== undefined),
      rows: body.split('<tr>').length - 1,
    };
  });
}

describe.each([
  ['full', fixtureReport],
  ['clean', cleanReport],
])('the report document of the %s report', (_, report) => {
  it('gives summary.md and report.html the same tables: columns, order, alignment and rows from one spec', () => {
    const tables = specTables(report()).map(expected);
    expect(tables.length).toBeGreaterThan(3);
    expect(markdownTables(renderMarkdown(report()))).toEqual(tables);
    expect(htmlTables(renderHtml(report()))).toEqual(tables);
  });

  it('gives both the same sections in the same order, but for those the page leaves out', () => {
    const sections = reportDocument(report()).sections.filter((section) => section !== null);
    const markdownHeadings = renderMarkdown(report())
      .split('\n')
      .filter((line) => line.startsWith('## '))
      .map((line) => line.slice(3));
    const htmlHeadings = [...renderHtml(report()).matchAll(/<section id="([a-z-]+)"[^>]*><h2>(.*?)<\/h2>/g)].map(([, id, heading]) => `${id}: ${heading}`);
    // Charts alone have nothing to say in text.
    expect(markdownHeadings).toEqual(sections.filter((section) => section.blocks.some((block) => block.kind !== 'figure')).map((section) => section.heading));
    // The page leaves out input problems and late arrivals when it has none.
    const onPage = sections.filter((section) => !(section.nothingToList && ['input-problems', 'late-arrivals'].includes(section.id)));
    expect(htmlHeadings).toEqual(onPage.map((section) => `${section.id}: ${section.heading}`));
  });
});

describe('prose', () => {
  it('marks the template text as wording and keeps what is interpolated as values', () => {
    const code = { kind: 'code', text: 'client_ip' } as const;
    expect(prose`the region's ${'US'} and ${3} ${code}${['a', 'b']}.`).toEqual([
      { kind: 'wording', text: "the region's " },
      'US',
      { kind: 'wording', text: ' and ' },
      3,
      { kind: 'wording', text: ' ' },
      code,
      'a',
      'b',
      { kind: 'wording', text: '.' },
    ]);
  });

  it('escapes a quote in a value but not in routeaudit wording, in the page', () => {
    const html = renderHtml(fixtureReport());
    // The fallback intro is prose; the incident's one-sentence account is a value.
    expect(html).toContain("far above the region's trailing baseline");
    expect(html).toContain('outside their account&#39;s data-routing selection');
  });
});
