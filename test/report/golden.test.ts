import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/detect/model.js';
import { renderAffectedSessionsCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderFindingsJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderOcsf } from '../../src/report/ocsf.js';
import { cleanReport, fixtureReport } from '../fixtures/report/fixture.js';

// UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts rewrites the files; review the diff before committing.
const GOLDEN_DIR = fileURLToPath(new URL('../fixtures/report/golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const REPORTS: [variant: string, report: () => AuditReport][] = [
  ['full', fixtureReport],
  ['clean', cleanReport],
];

const FORMATS: [file: string, render: (report: AuditReport) => string][] = [
  ['summary.md', renderMarkdown],
  ['findings.json', renderFindingsJson],
  ['affected-sessions.csv', renderAffectedSessionsCsv],
  ['report.html', renderHtml],
  ['findings.ocsf.json', renderOcsf],
];

describe.each(REPORTS)('golden files for the %s report', (variant, report) => {
  it.each(FORMATS)('%s matches byte for byte', (file, render) => {
    const actual = render(report());
    const path = join(GOLDEN_DIR, variant, file);
    if (UPDATE) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, actual);
    }
    expect(actual).toBe(readFileSync(path, 'utf8'));
  });
});
