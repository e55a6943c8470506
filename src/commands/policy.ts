import { withDatabase } from '../db/database.js';
import { runPolicyDetections } from '../detect/audit.js';
import { severityRank } from '../detect/model.js';
import type { FailOn } from '../detect/verdict.js';
import { parseTime } from '../detect/window.js';
import { ExitCode } from '../errors.js';
import type { Io } from '../io.js';
import { loadPolicy } from '../policy/load.js';
import { loadPolicyTables } from '../policy/tables.js';
import { formatTable } from '../report/table.js';

export interface PolicyCheckOptions {
  file: string;
  failOn: FailOn;
  now?: string;
}

/**
 * `routeaudit policy check FILE`: a summary of a valid policy and its policy-only findings
 * (the same rules an audit runs: a fenced datacenter on a whitelist, an expired suppression);
 * exit 1 when one is at or above --fail-on. An invalid policy's PolicyError propagates to the CLI (exit 2).
 */
export async function policyCheckCommand(options: PolicyCheckOptions, io: Io): Promise<ExitCode> {
  const now = options.now === undefined ? io.now() : parseTime('--now', options.now);
  const loaded = loadPolicy(options.file, io.cwd);
  const { policy, file, sha256 } = loaded;
  const findings = await withDatabase(':memory:', {}, async (db) => {
    await loadPolicyTables(db, policy);
    return runPolicyDetections(db, { now: now.toISOString() });
  });
  const summary: [string, string | number][] = [
    ['regions', Object.keys(policy.regions).length],
    ['datacenters', policy.datacenters.length],
    ['routed client regions', Object.keys(policy.routing).length],
    ['fences', policy.fences.length],
    ['accounts', policy.accounts.length],
    ['suppressions', policy.suppressions.length],
    ['sha256', sha256],
  ];
  const failing = findings.filter((f) => options.failOn !== 'none' && severityRank(f.severity) >= severityRank(options.failOn));
  const headline = findings.length === 0 ? 'policy OK' : `policy valid, with ${findings.length} policy finding${findings.length === 1 ? '' : 's'}`;
  let text = `${headline}: ${file}\n${summary.map(([label, value]) => `  ${label.padEnd(22)} ${value}\n`).join('')}`;
  if (findings.length > 0) text += '\n' + formatTable(['id', 'severity', 'rule', 'where', 'finding'], findings.map((f) => [f.id, f.severity, f.rule, f.path, f.message]));
  io.stdout(text);
  if (failing.length === 0) return ExitCode.ok;
  io.stderr(`routeaudit: ${failing.length} policy finding${failing.length === 1 ? '' : 's'} at or above --fail-on ${options.failOn} (exit 1)\n`);
  return ExitCode.findings;
}
