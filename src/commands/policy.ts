import { ExitCode } from '../errors.js';
import type { Io } from '../io.js';
import { loadPolicy } from '../policy/load.js';

/** `routeaudit policy check FILE`: a summary when the policy is valid; otherwise its PolicyError propagates to the CLI (exit 2). */
export async function policyCheckCommand(options: { file: string }, io: Io): Promise<ExitCode> {
  const { policy, file, sha256 } = loadPolicy(options.file);
  const summary: [string, string | number][] = [
    ['regions', Object.keys(policy.regions).length],
    ['datacenters', policy.datacenters.length],
    ['routed client regions', Object.keys(policy.routing).length],
    ['fences', policy.fences.length],
    ['accounts', policy.accounts.length],
    ['suppressions', policy.suppressions.length],
    ['sha256', sha256],
  ];
  io.stdout(`policy OK: ${file}\n${summary.map(([label, value]) => `  ${label.padEnd(22)} ${value}\n`).join('')}`);
  return ExitCode.ok;
}
