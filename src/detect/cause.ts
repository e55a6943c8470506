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
  // Clients of one region sometimes get another region's lists (stale config, DNS
  // steering during an overload): a whitelist entry elsewhere may still be the cause.
  const whitelistElsewhere = context.policyFindings.filter((f) => f.rule === 'whitelist' && f.clientRegion !== region && f.datacenter !== null && dcIds.includes(f.datacenter));
  const expired = expiredSuppressions(policy, incident, context.policyFindings);
  const peak = fallbackPeak(context.windows, region, incident.firstSeen, incident.lastSeen, policy.fallback);
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
      const elsewhere = whitelistElsewhere.filter((w) => w.datacenter === dc);
      const also = elsewhere.length > 0 ? `, but is on ${joinAnd(elsewhere.map((w) => `${w.path} (whitelist finding ${w.id})`))}` : '';
      return tier ? `${dc} is on the ${region} ${tier} list` : policy.routing[region] ? `${dc} is on neither ${region} routing list${also}` : `${region} has no routing entry`;
    })
    .join('; ') + '.';
  const elsewhereText = whitelistElsewhere.length > 0 ? ` These clients were probably given another region's routing lists.` : '';
  const expiredText = expired.map((e) => ` An exception for this, suppressions[${e.index}] ("${e.reason}"), expired on ${e.until.slice(0, 10)} (policy finding S-${e.index}).`).join('');
  const causeIds = [...whitelist, ...whitelistElsewhere].map((w) => w.id);
  const fencedTarget = policy.fences.some((f) => f.datacenterRegions.includes(incident.datacenterRegion));

  switch (incident.rule) {
    case 'geofence':
    case 'geofence-contact': {
      const connected = incident.rule === 'geofence';
      const title = `${sessionsOf(region)} ${connected ? 'connected to' : 'attempted'} fenced ${incident.datacenterRegion} datacenters`;
      const cause = `${whitelistText || routingText + elsewhereText}${surge}${expiredText}`.trim();
      const action = [
        whitelist.length > 0
          ? `Remove ${joinAnd(whitelist.map((w) => w.datacenter!))} from ${joinAnd(whitelist.map((w) => w.path))}: first in the provider's live routing configuration (which clients follow), then in this policy.`
          : whitelistElsewhere.length > 0
            ? `Remove ${joinAnd([...new Set(whitelistElsewhere.map((w) => w.datacenter!))])} from ${joinAnd(whitelistElsewhere.map((w) => w.path))}, and find out why ${region} clients followed those lists.`
            : `Find out how clients reached ${dcList}: it is not on the ${region} lists, so clients or DNS are not following the policy.`,
        connected
          ? `Ask the operator of ${dcList} what was retained from these sessions` +
            (incident.keyExchangeSessions > 0 ? `, including the ${incident.keyExchangeSessions} key exchange${incident.keyExchangeSessions === 1 ? '' : 's'}; treat those meeting keys as exposed.` : '.') +
            ' Notify the affected accounts (affected-sessions.csv lists every session).'
          : 'No attempt connected: confirm with the operator that none of them carried data.',
      ].join(' ');
      return { title, cause, action, causeFindingIds: causeIds, fallbackPeak: peak };
    }
    case 'unplaced-fenced-contact': {
      const unknown = region === 'unknown';
      return {
        title: `Sessions of ${unknown ? 'unplaced' : 'unmapped'} clients reached fenced ${incident.datacenterRegion} datacenters`,
        cause: unknown
          ? 'These sessions declared no client_country and their client_ip gave no country, so no fence can say whether they were allowed.'
          : 'These clients declared a country that no policy region lists, so no fence can say whether they were allowed.',
        action: unknown
          ? `Find out where these clients were (affected-sessions.csv: account, user, meeting); have clients log client_country or client_ip. If they were outside ${joinAnd(fenceClientRegions(policy, incident.datacenterRegion))}, treat them as geofence violations.`
          : `Add their countries to a policy region so the fences can judge them (affected-sessions.csv lists the sessions and countries).`,
        causeFindingIds: [],
        fallbackPeak: peak,
      };
    }
    case 'account-routing': {
      const accounts = joinAnd(incident.accounts.map((a) => describeAccount(policy, a)));
      const exception = fencedTarget ? '' : ', or record an approved exception as a suppression with its reason and end date';
      return {
        title: `Sessions of restricted accounts (${joinAnd(incident.accounts)}) served from ${incident.datacenterRegion}`,
        cause: `${capitalise(accounts)}. ${routingText}${elsewhereText}${surge}${expiredText}`.trim(),
        action: `Keep ${joinAnd(incident.accounts)} off ${dcList} (a per-account routing restriction)${exception}. Tell the account owners.`,
        causeFindingIds: [...causeIds, ...expired.map((e) => `S-${e.index}`)],
        fallbackPeak: peak,
      };
    }
    case 'unlisted-datacenter':
      return {
        title: `${sessionsOf(region)} connected to datacenters off their routing lists`,
        cause: `${routingText}${elsewhereText}${surge}${expiredText}`.trim(),
        action: `Check client configuration and DNS for ${region}: clients connected to ${dcList}, which the policy does not route ${region} to. If the routing is intended, add it to the policy.`,
        causeFindingIds: causeIds,
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

/**
 * The client region's highest-rate window overlapping [first, last] among the
 * rated ones (at least min_sessions connected), when it was flagged or above max_rate.
 */
function fallbackPeak(windows: readonly FallbackWindow[], region: string, first: string, last: string, settings: Policy['fallback']): FallbackPeak | null {
  const maxRate = settings.maxRate;
  let best: FallbackWindow | null = null;
  for (const w of windows) {
    if (w.clientRegion !== region || w.rate === null || w.connected < settings.minSessions || w.windowEnd <= first || w.windowStart > last) continue;
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

/** Suppressions of this incident's rule that would have matched it, but ended before its first session. */
function expiredSuppressions(policy: Policy, incident: IncidentFacts, findings: readonly PolicyFinding[]): Policy['suppressions'] {
  const reported = new Set(findings.filter((f) => f.rule === 'expired-suppression').map((f) => f.id));
  return policy.suppressions.filter(
    (s) =>
      reported.has(`S-${s.index}`) &&
      s.rule === incident.rule &&
      s.until <= incident.firstSeen &&
      (s.account === null || incident.accounts.includes(s.account)) &&
      (s.datacenter === null || incident.datacenters.some((d) => d.id === s.datacenter)) &&
      (s.clientRegion === null || s.clientRegion === incident.clientRegion),
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
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

/** The client regions that the fences closing a datacenter region admit (for the action text). */
function fenceClientRegions(policy: Policy, datacenterRegion: string): string[] {
  const admitted = policy.fences.filter((f) => f.datacenterRegions.includes(datacenterRegion)).flatMap((f) => f.clientRegions);
  return [...new Set(admitted)].map((r) => `client region ${r}`);
}
