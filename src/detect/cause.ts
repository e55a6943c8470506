/**
 * The "why" of an incident, from the policy: which whitelist entry let the
 * traffic through, how hard the client region was falling back at the time,
 * and what to do. Plain sentences, for the people who read the summary.
 */
import type { Policy } from '../policy/types.js';
import type { FallbackPeak, FallbackWindow, Incident, PolicyFinding } from './model.js';

import type { Detection } from './registry.js';

type IncidentFacts = Pick<Incident, 'rule' | 'clientRegion' | 'datacenterRegion' | 'datacenters' | 'firstSeen' | 'lastSeen' | 'keyExchangeSessions' | 'accounts' | 'sessionCount'>;

export interface Explanation {
  title: string;
  summary: string;
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

/**
 * The fields a rule's wording templates may use (docs/detections.md, "Writing a rule"): facts
 * of the incident, and sentences about it drawn from the policy. Each is text, a count or a
 * flag; sentences end with their full stop, and those meant to follow another start with a space.
 */
export const INCIDENT_TEXT_FIELDS = [
  'client_region', // the incident's client region: a region id, unknown or unmapped
  'datacenter_region', // the region of its datacenters
  'datacenters', // the datacenters that made its sessions findings: "a, b and c"
  'several_datacenters', // flag: more than one of them
  'sessions', // count of sessions
  'key_exchange_sessions', // count of sessions with key exchange at the offending datacenter
  'key_exchange_note', // ", 2 sessions with key exchange there", or empty
  'accounts', // the accounts of its sessions: "a and b"
  'sessions_of_region', // "US sessions", "Sessions with no known client country", ...
  'client_placed', // flag: the client region is a policy region
  'client_unknown', // flag: client region unknown (no country)
  'client_unmapped', // flag: client region unmapped (a country no region lists)
  'unplaced_cause', // for an unplaced client region, why no fence admits it; else empty
  'whitelist_cause', // the whitelist entries listing the datacenters for this client region; else empty
  'routing_cause', // where each datacenter is on this region's routing lists, and other regions' lists that hold it
  'routing_fix', // what to change in the routing: the whitelist entry to remove, or what to find out
  'geo_placement', // " By the geo database of its address, 1.0.0.7 is in CN (region CN).", for datacenters outside the catalog placed so; else empty
  'surge', // " The US fallback rate peaked at ...", when a flagged window overlaps; else empty
  'expired', // " An exception for this, suppressions[0] ..., expired on ...", per matching expired suppression
  'account_selections', // "Account acme may be served only from US and CA"
  'datacenter_region_fenced', // flag: some fence closes the datacenter region
  'fence_client_regions', // the client regions the fences over the datacenter region admit
  'primary_timeout_ms', // the policy's primary_timeout_ms
] as const;

type IncidentTextField = (typeof INCIDENT_TEXT_FIELDS)[number];

/** Words an incident by its rule's templates, over facts of the incident and the policy. */
export function explainIncident(incident: IncidentFacts, detection: Detection, context: Context): Explanation {
  const { policy } = context;
  const region = incident.clientRegion;
  const placed = region !== 'unknown' && region !== 'unmapped';
  const dcIds = incident.datacenters.map((d) => d.id);
  const whitelistFindings = context.policyFindings.filter((f) => f.rule === 'whitelist' && f.datacenter !== null && dcIds.includes(f.datacenter));
  const whitelist = whitelistFindings.filter((f) => f.clientRegion === region);
  // Clients of one region sometimes get another region's lists (stale config, DNS
  // steering during an overload): a whitelist entry elsewhere may still be the cause.
  const whitelistElsewhere = whitelistFindings.filter((f) => f.clientRegion !== region);
  const expired = expiredSuppressions(policy, incident, context.policyFindings);
  const peak = fallbackPeak(context.windows, region, incident.firstSeen, incident.lastSeen, policy.fallback);
  const dcList = joinAnd(dcIds);
  const pct = (rate: number) => `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)}%`;
  const surge = peak && peak.flagged
    ? ` The ${region} fallback rate peaked at ${pct(peak.rate)} in the window from ${peak.windowStart.slice(0, 16).replace('T', ' ')} UTC` +
      (peak.baselineRate === null ? '.' : ` against a ${pct(peak.baselineRate)} baseline.`)
    : '';
  const whitelistCause = whitelist.length > 0
    ? whitelist.map((w) => `${w.datacenter} is on the ${region} ${w.path.split('.')[2]?.replace(/\[\d+\]$/, '')} list (whitelist finding ${w.id})`).join('; ') + '.'
    : '';
  const elsewhereOf = (dc: string) => whitelistElsewhere.filter((w) => w.datacenter === dc);
  // A destination outside the catalog is on no routing list by construction; geo_placement says where its address is.
  const uncatalogued = incident.datacenters.filter((d) => !policy.datacenters.some((c) => c.id === d.id));
  const geoPlaced = uncatalogued.filter((d) => d.placedBy.includes('geo') && d.country !== null);
  const routingCause = placed
    ? dcIds
        .map((dc) => {
          if (uncatalogued.some((d) => d.id === dc)) return `${dc} is not in the datacenter catalog, so no routing list offers it`;
          const tier = listingOf(policy, region, dc);
          const elsewhere = elsewhereOf(dc);
          const also = elsewhere.length > 0 ? `, but is on ${joinAnd(elsewhere.map((w) => `${w.path} (whitelist finding ${w.id})`))}` : '';
          return tier ? `${dc} is on the ${region} ${tier} list` : policy.routing[region] ? `${dc} is on neither ${region} routing list${also}` : `${region} has no routing entry`;
        })
        .join('; ') + '.' + (whitelistElsewhere.length > 0 ? ` These clients were probably given another region's routing lists.` : '')
    : // No routing list is an unplaced client's own; only other regions' lists can have sent it there.
      dcIds
        .flatMap((dc) => (elsewhereOf(dc).length > 0 ? [`${dc} is on ${joinAnd(elsewhereOf(dc).map((w) => `${w.path} (whitelist finding ${w.id})`))}`] : []))
        .map((text) => `${text}.`)
        .join(' ');
  const routingFix = whitelist.length > 0
    ? `Remove ${joinAnd(whitelist.map((w) => w.datacenter!))} from ${joinAnd(whitelist.map((w) => w.path))}: first in the provider's live routing configuration (which clients follow), then in this policy.`
    : whitelistElsewhere.length > 0
      ? `Remove ${joinAnd([...new Set(whitelistElsewhere.map((w) => w.datacenter!))])} from ${joinAnd(whitelistElsewhere.map((w) => w.path))}, and find out why ${placed ? `${region} clients` : 'these clients'} followed those lists.`
      : placed && uncatalogued.length === dcIds.length
        ? `Find out what ${dcList} ${dcIds.length > 1 ? 'are' : 'is'} and how clients reached ${dcIds.length > 1 ? 'them' : 'it'}: ${dcIds.length > 1 ? 'they are' : 'it is'} not in the datacenter catalog, so no routing list of the policy sends clients there.`
        : placed
        ? `Find out how clients reached ${dcList}: it is not on the ${region} lists, so clients or DNS are not following the policy.`
        : `Find out how these clients reached ${dcList} and where they were (affected-sessions.csv: account, user, meeting), and ${region === 'unknown' ? 'have clients log client_country or client_ip' : 'add their countries to a policy region'} so that fences can place them.`;
  const fences = policy.fences.filter((f) => f.datacenterRegions.includes(incident.datacenterRegion));
  const unplacedCause = placed
    ? ''
    : `${region === 'unknown' ? 'These sessions declared no client_country and their client_ip gave no country' : 'These clients declared a country that no policy region lists'}; ` +
      `fence${fences.length === 1 ? '' : 's'} ${joinAnd(fences.map((f) => `"${f.id}"`))} admit${fences.length === 1 ? 's' : ''} only ${joinAnd(fenceClientRegions(policy, incident.datacenterRegion))} clients, and a client not known to be one of them was not admitted.`;

  const fields: Record<IncidentTextField, string | number | boolean> = {
    client_region: region,
    datacenter_region: incident.datacenterRegion,
    datacenters: dcList,
    several_datacenters: dcIds.length > 1,
    sessions: incident.sessionCount,
    key_exchange_sessions: incident.keyExchangeSessions,
    key_exchange_note: incident.keyExchangeSessions > 0 ? `, ${plural(incident.keyExchangeSessions, 'session')} with key exchange there` : '',
    accounts: joinAnd(incident.accounts),
    sessions_of_region: sessionsOf(region),
    client_placed: placed,
    client_unknown: region === 'unknown',
    client_unmapped: region === 'unmapped',
    unplaced_cause: unplacedCause,
    whitelist_cause: whitelistCause,
    routing_cause: routingCause,
    routing_fix: routingFix,
    geo_placement:
      geoPlaced.length === 0
        ? ''
        : ` By the geo database of ${geoPlaced.length > 1 ? 'their addresses' : 'its address'}, ${joinAnd(geoPlaced.map((d) => `${d.id} is in ${d.country}`))}` +
          (incident.datacenterRegion === 'unmapped' ? ', a country no policy region lists.' : ` (region ${incident.datacenterRegion}).`),
    surge,
    expired: expired.map((e) => ` An exception for this, suppressions[${e.index}] ("${e.reason}"), expired on ${e.until.slice(0, 10)} (policy finding S-${e.index}).`).join(''),
    account_selections: capitalise(joinAnd(incident.accounts.map((a) => describeAccount(policy, a)))),
    datacenter_region_fenced: fences.length > 0,
    fence_client_regions: joinAnd(fenceClientRegions(policy, incident.datacenterRegion).map((r) => `client region ${r}`)),
    primary_timeout_ms: policy.fallback.primaryTimeoutMs,
  };
  const wording = detection.wording;
  if (wording === null) throw new Error(`${detection.file}: rule ${detection.id} forms incidents but has no wording`);
  const render = (template: typeof wording.title) => tidy(template.render(fields));
  const causeFindingIds = [
    ...(detection.causes.includes('whitelist') ? [...whitelist, ...whitelistElsewhere].map((w) => w.id) : []),
    ...(detection.causes.includes('expired-suppression') ? expired.map((e) => `S-${e.index}`) : []),
  ];
  return {
    title: render(wording.title),
    summary: render(wording.whatHappened),
    cause: render(wording.cause),
    action: render(wording.action),
    causeFindingIds,
    fallbackPeak: peak,
  };
}

/** A field left empty at either end of a template leaves a space behind. */
function tidy(text: string): string {
  return text.trim();
}

function plural(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
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

/** The client regions that the fences closing a datacenter region admit. */
function fenceClientRegions(policy: Policy, datacenterRegion: string): string[] {
  const admitted = policy.fences.filter((f) => f.datacenterRegions.includes(datacenterRegion)).flatMap((f) => f.clientRegions);
  return [...new Set(admitted)];
}
