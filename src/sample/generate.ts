/**
 * `routeaudit sample`: synthetic connection logs that reproduce the April 2020
 * routing incident, with the policy they are audited against. Pure and
 * deterministic: the same options give the same bytes (a seeded generator, no
 * clock, UTC arithmetic only).
 *
 * The scenario, and why it is built this way:
 * - Five weekdays, 2020-03-30 to 2020-04-03 UTC. Meetings start when their
 *   host's country is at work, and most participants are from the host's
 *   region; each participant is a session. A session tries its region's
 *   primaries; after a timeout the client has waited primary_timeout_ms
 *   (5.5 s, so its next attempt starts about 5.5 s later) and goes to the
 *   backup-bridge whitelist; after a quick refusal or error it usually tries
 *   another primary first. Once connected it logs its signaling attempt and,
 *   on the same datacenter, media, key exchange or other traffic: about 1.6
 *   records per session.
 * - On 2020-04-01, 14:00 to 19:00 UTC, the US primaries are overloaded and
 *   up to 40% of the attempts on them time out, so about a third of the US
 *   sessions connect via a secondary, against well under 1% the rest of the
 *   week. The baseline is kept that low because hourly windows hold 20 to 60
 *   US sessions: two fallbacks in one window would already cross the 5% line
 *   and blur the story with noise.
 * - The backup bridge prefers idle capacity. At that hour it is night in
 *   China, so the two Chinese datacenters wrongly on the US whitelist draw a
 *   good share of the US fallbacks; from outside China they often time out
 *   or refuse, which yields geofence-contact next to geofence findings.
 * - Canadian sessions reach China although their client region honestly
 *   comes from their country: during the surge the overloaded US steering
 *   also answered part of the Canadian clients (a DNS misroute), which then
 *   used the US lists. They show up as unlisted-datacenter (US and Chinese
 *   datacenters are on neither Canadian list) and as geofence for CA.
 * - Everything a rule or an edge of the definitions needs is also scripted
 *   (traffic.ts, writeScriptedSessions) so that it exists for any seed and
 *   session count: premature fallbacks, a secondary tried first, a secondary
 *   exactly at the timeout, unknown datacenters, sessions that never connect,
 *   no country and no address, an unmapped country (ZA), account-routing
 *   violations under a valid and an expired suppression, and one US and one
 *   Canadian session exchanging keys with China.
 * - The files carry what the ingester must handle (files.ts): five formats,
 *   a malformed line of each kind, one record delivered in two files, one
 *   file delivered twice under two names.
 * - Addresses are random hosts in consumer ISP blocks of each client's
 *   country, documentation ranges only for two lab clients: no real data.
 */
import { renderLogFiles, type DeliberateLine, type SampleFile } from './files.js';
import { renderPolicyYaml } from './policy-yaml.js';
import { renderReadme } from './readme.js';
import { summarizeScenario, type ScenarioSummary } from './summary.js';
import { simulateTraffic, type AttemptRecord, type ScriptedSession } from './traffic.js';
import { SAMPLE_POLICY, type PolicyDocument } from './world.js';
import { renderZeekConnLog, renderZoomExports, withSourcePlacement } from './sources.js';

export type { AttemptRecord, ScriptedSession } from './traffic.js';
export type { DeliberateLine, LogFile, SampleFile } from './files.js';
export type { PolicyDocument } from './world.js';

export interface SampleOptions {
  /** Sessions to simulate; the scripted ones count, and are written even when this is smaller. */
  sessions: number;
  seed: number;
}

export interface Sample {
  /** Every file to write, paths relative to the output folder: logs, then policy.yaml and README.md. */
  files: SampleFile[];
  /** The attempts the log files carry, sorted by time, before the deliberate faults. */
  records: AttemptRecord[];
  scripted: ScriptedSession[];
  deliberate: DeliberateLine[];
  policy: PolicyDocument;
  summary: ScenarioSummary;
}

export function generateSample(options: SampleOptions): Sample {
  const { records, scripted } = simulateTraffic(options);
  const logs = renderLogFiles(records);
  const summary = summarizeScenario(records);
  const policy = withSourcePlacement(SAMPLE_POLICY);
  const sources = [renderZeekConnLog(records), ...renderZoomExports(records)];
  const readme = renderReadme({ ...options, logs: logs.files, sources, deliberate: logs.deliberate, scripted, summary, policy });
  return {
    files: [...logs.files, ...sources, textFile('policy.yaml', renderPolicyYaml(policy)), textFile('README.md', readme)],
    records,
    scripted,
    deliberate: logs.deliberate,
    policy,
    summary,
  };
}

function textFile(path: string, text: string): SampleFile {
  return { path, content: Buffer.from(text, 'utf8'), lines: text.split('\n').length - 1 };
}
