import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/detect/model.js';
import { renderFindingsJson } from '../../src/report/json.js';
import { fixtureReport } from '../fixtures/report/fixture.js';

/** The same values with every object's keys in reverse order. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([key, inner]) => [key, reversedKeys(inner)])) as T;
  }
  return value;
}

describe('renderFindingsJson', () => {
  it('names its schema and version first and ends with a newline', () => {
    const json = renderFindingsJson(fixtureReport());
    expect(json.startsWith('{\n  "schema": "routeaudit/findings",\n  "schemaVersion": 1,\n  "run": {')).toBe(true);
    expect(json.endsWith('}\n')).toBe(true);
  });

  it('carries the whole report, nothing dropped or added', () => {
    const { schema, ...rest } = JSON.parse(renderFindingsJson(fixtureReport())) as AuditReport & { schema: string };
    expect(schema).toBe('routeaudit/findings');
    expect(rest).toEqual(fixtureReport());
  });

  it('writes keys in its documented order whatever order the report was built in', () => {
    expect(renderFindingsJson(reversedKeys(fixtureReport()))).toBe(renderFindingsJson(fixtureReport()));
  });
});
