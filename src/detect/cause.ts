/**
 * The "why" of an incident, from the policy: which whitelist entry let the
 * traffic through, how hard the client region was falling back at the time,
 * and what to do. Plain sentences, for the people who read the summary.
 */
import type { Policy } from '../policy/types.js';
import type { FallbackPeak, FallbackWindow, Incident, PolicyFinding } from './model.js';

type IncidentFacts = Pick<Incident, 'rule' | 'clientRegion' | 'datacenterRegion' | 'datacenters' | 'firstSeen' | 'lastSeen' | 'keyExchangeSessions' | 'accounts'>;

export interface Explanation {
  title: string;
  cause: string;
  action: string;
  causeFindingIds: string[];
  fallbackPeak: FallbackPeak | null;
}

interface Context {
  policy: Policy;
  policyFindings: readonly PolicyFinding[];
  windows: readonly FallbackWindow[];
}

export function explainIncident(incident: IncidentFacts, context: Context): Explanation {
  const { policy } = context;
  const region = incident.clientRegion;
  const dcIds = incident.datacenters.map((d) => d.id);
  const whitelist = context.policyFindings.filter((f) => f.rule === 'whitelist' && f.clientRegion === region && f.datacenter !== null && dcIds.includes(f.datacenter));
  const peak = fallbackPeak(context.windows, region, incident.firstSeen, incident.lastSeen, policy.fallback.maxRate);
  const listing = (dc: string) => listingOf(policy, region, dc);
  const dcList = joinAnd(dcIds);
  const pct = (rate: number) => `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`;
  const surge = peak && peak.flagged
    ? ` The ${region} fallback rate peaked at ${pct(peak.rate)} in the window from ${peak.windowStart.slice(0, 16).replace('T', ' ')} UTC` +
      (peak.baselineRate === null ? '.' : ` against a ${pct(peak.baselineRate)} baseline.`)
    : '';
  const whitelistText = whitelist.length > 0
    ? whitelist.map((w) => `${w.datacenter} is on the ${region} ${w.path.split('.')[2]?.replace(/\[\d+\]$/, '')} list (whitelist finding ${w.id})`).join('; ') + '.'
    : '';
  const routingText = dcIds
    .map((dc) => {
      const tier = listing(dc);
      return tier ? `${dc} is on the ${region} ${tier} list` : policy.routing[region] ? `${dc} is on neither ${region} routing list` : `${region} has no routing entry`;
    })
    .join('; ') + '.';

  switch (incident.rule) {
    case 'geofence':
    case 'geofence-contact': {
      const connected = incident.rule === 'geofence';
      const title = `${sessionsOf(region)} ${connected ? 'connected to' : 'attempted'} fenced ${incident.datacenterRegion} datacenters`;
      const regionNote = region === 'unknown' || region === 'unmapped' ? ` These sessions' client region is ${region}, so no fence admits them.` : '';
      const cause = `${whitelistText || routingText}${surge}${regionNote}`.trim();
      const action = [
        whitelist.length > 0 ? `Remove ${joinAnd(whitelist.map((w) => w.datacenter!))} from ${joinAnd(whitelist.map((w) => w.path))} in the provider's routing configuration, then in the policy.` : `Find out how clients reached ${dcList}: it is not on the ${region} lists, so clients or DNS are not following the policy.`,
        connected ? `Ask the operator of ${dcList} what was retained from these sessions` + (incident.keyExchangeSessions > 0 ? `, including the ${incident.keyExchangeSessions} key exchange${incident.keyExchangeSessions === 1 ? '' : 's'}; treat those meeting keys as exposed.` : '.') : 'No traffic connected; confirm the attempts carried no data.',
        'Notify the affected accounts (affected-sessions.csv lists every session).',
      ].join(' ');
      return { title, cause, action, causeFindingIds: whitelist.map((w) => w.id), fallbackPeak: peak };
    }
    case 'account-routing': {
      const accounts = joinAnd(incident.accounts.map((a) => describeAccount(policy, a)));
      return {
        title: `${sessionsOf(region)} of restricted accounts served from ${incident.datacenterRegion}`,
        cause: `${accounts}. ${routingText}${surge}`.trim(),
        action: `Keep ${joinAnd(incident.accounts)} off ${dcList} (a per-account routing restriction), or record an approved exception as a suppression with its reason and end date. Tell the account owners.`,
        causeFindingIds: whitelist.map((w) => w.id),
        fallbackPeak: peak,
      };
    }
    case 'unlisted-datacenter':
      return {
        title: `${sessionsOf(region)} connected to datacenters off their routing lists`,
        cause: `${routingText}${surge}`.trim(),
        action: `Check client configuration and DNS for ${region}: clients connected to ${dcList}, which the policy does not route ${region} to. If the routing is intended, add it to the policy.`,
        causeFindingIds: [],
        fallbackPeak: peak,
      };
    case 'unknown-datacenter':
      return {
        title: `${sessionsOf(region)} attempted datacenters missing from the catalog`,
        cause: `${dcList} ${dcIds.length === 1 ? 'is' : 'are'} not in the policy's datacenter catalog, so no fence or routing rule can vouch for ${dcIds.length === 1 ? 'it' : 'them'}.`,
        action: `Add ${dcList} to the catalog with ${dcIds.length === 1 ? 'its' : 'their'} country (and routing), or find out why clients were sent there.`,
        causeFindingIds: [],
        fallbackPeak: peak,
      };
    case 'premature-fallback':
      return {
        title: `${sessionsOf(region)} fell back to secondaries before the timeout`,
        cause: `Clients tried secondary datacenters less than ${policy.fallback.primaryTimeoutMs} ms after their first primary attempt, or before any primary.${surge}`,
        action: 'Check the client fallback timer and the primary tier list; early fallback sends traffic to the backup-bridge whitelist more often than the policy intends.',
        causeFindingIds: [],
        fallbackPeak: peak,
      };
    default:
      return { title: `${sessionsOf(region)}: ${incident.rule} findings`, cause: routingText, action: 'Review the sessions in affected-sessions.csv.', causeFindingIds: [], fallbackPeak: peak };
  }
}

/** The client region's highest-rate window overlapping [first, last], when it was flagged or above max_rate. */
function fallbackPeak(windows: readonly FallbackWindow[], region: string, first: string, last: string, maxRate: number): FallbackPeak | null {
  let best: FallbackWindow | null = null;
  for (const w of windows) {
    if (w.clientRegion !== region || w.rate === null || w.windowEnd <= first || w.windowStart > last) continue;
    if (best === null || w.rate > best.rate!) best = w;
  }
  if (best === null || (best.flags.length === 0 && best.rate! <= maxRate)) return null;
  return { windowStart: best.windowStart, rate: best.rate!, baselineRate: best.baselineRate, flagged: best.flags.length > 0 };
}

function listingOf(policy: Policy, region: string, dc: string): 'primary' | 'secondary' | null {
  const routing = policy.routing[region];
  if (!routing) return null;
  if (routing.primary.includes(dc)) return 'primary';
  if (routing.secondary.includes(dc)) return 'secondary';
  return null;
}

function describeAccount(policy: Policy, id: string): string {
  const account = policy.accounts.find((a) => a.id === id);
  if (!account) return `account ${id}`;
  const allowed = [...new Set([account.homeRegion, ...account.allowedRegions])];
  return `account ${id} may be served only from ${joinAnd(allowed)}`;
}

function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function sessionsOf(region: string): string {
  if (region === 'unknown') return 'Sessions with no known client country';
  if (region === 'unmapped') return 'Sessions from countries no region lists';
  return `${region} sessions`;
}
