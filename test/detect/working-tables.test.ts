import { expect, it } from 'vitest';
import { runAudit } from '../../src/detect/audit.js';
import { ingestPaths, jsonl, memoryDb, tempDir, writeFile } from '../helpers.js';
import { toRecord } from './audit-helpers.js';
import { examplePolicy, loaded } from './fixture-policy.js';

// The audit's working tables are dropped before the findings are read into JS, so that
// DuckDB's memory and the report model's do not add up (docs/performance.md, Memory).
it('leaves none of its per-session working tables behind, and still reports the findings', async () => {
  const dir = tempDir();
  writeFile(dir, 'logs.jsonl', jsonl([{ session: 's', at: 0, dc: 'cn-pek1', country: 'US' }].map(toRecord)));
  const db = await memoryDb();
  try {
    await ingestPaths(db, [dir], dir);
    const report = await runAudit(db, {
      policy: loaded(examplePolicy()),
      window: { since: null, until: null },
      now: new Date('2020-04-05T00:00:00Z'),
      databaseLabel: ':memory:',
      geo: null,
    });
    // A secondary (cn-pek1 is on the US whitelist) tried before any primary: premature too.
    expect(report.findings.map((f) => `${f.rule} ${f.sessionId}`).sort()).toEqual(['geofence s', 'premature-fallback s']);
    const left = (await db.all<{ name: string }>(`SELECT table_name AS name FROM duckdb_tables() WHERE temporary ORDER BY 1`)).map((r) => r.name);
    expect(left.filter((name) => name.startsWith('audit_') || name.startsWith('geo_lookup'))).toEqual([]);
    expect(left).toContain('policy_datacenters');
  } finally {
    db.close();
  }
});
