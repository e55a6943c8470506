/**
 * Simulates the sample week attempt by attempt: meetings with participants,
 * each participant a session that joins through its region's routing lists.
 * The scenario and the reasons behind its choices are described in
 * generate.ts; this file only follows them.
 */
import { Random } from './random.js';
import {
  REGION_TRAFFIC,
  RESTRICTED_EU_ACCOUNT,
  RESTRICTED_US_ACCOUNT,
  SAMPLE_POLICY,
  countryProfile,
  findDatacenter,
  isCloud,
  regionOfCountry,
  regionOfDatacenter,
  routeFor,
} from './world.js';

export type Outcome = 'connected' | 'timeout' | 'refused' | 'error';
type Failure = Exclude<Outcome, 'connected'>;
export type Tier = 'primary' | 'secondary';
export type TrafficKind = 'media' | 'signaling' | 'key_exchange' | 'other';

/** One connection attempt, before it is written in a file's format. */
export interface AttemptRecord {
  tsMs: number;
  /** The offset the client writes its local time with (APAC clients); null writes UTC with `Z`. */
  utcOffsetMinutes: number | null;
  sessionId: string;
  dcId: string;
  outcome: Outcome;
  /** As the client saw it; null where the client build does not log it. */
  tier: Tier | null;
  attempt: number;
  latencyMs: number;
  accountId: string | null;
  meetingId: string;
  userId: string;
  clientIp: string | null;
  clientCountry: string | null;
  traffic: TrafficKind;
  /** Not in the log schema: an extra field the ingester must ignore. Only on a session's first record. */
  clientApp: string | null;
}

export type ScriptedCase =
  | 'premature-fallback'
  | 'secondary-first'
  | 'timeout-boundary'
  | 'unknown-datacenter'
  | 'never-connected'
  | 'unknown-region'
  | 'unmapped-region'
  | 'account-routing'
  | 'account-routing-suppressed'
  | 'geofence'
  | 'geofence-contact'
  | 'geofence-key-exchange'
  | 'country-mismatch';

/** A session written on purpose to exercise one path of the audit; the README lists them. */
export interface ScriptedSession {
  sessionId: string;
  case: ScriptedCase;
  /** What the session is and what the audit should make of it. */
  note: string;
}

export interface SimulatedTraffic {
  /** Sorted by time, then session id, then attempt. */
  records: AttemptRecord[];
  scripted: ScriptedSession[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
export const SAMPLE_START_MS = Date.UTC(2020, 2, 30);
export const SAMPLE_DAYS = 5;
const SAMPLE_END_MS = SAMPLE_START_MS + SAMPLE_DAYS * DAY_MS;

/** 10:00 to 15:00 EDT on Wednesday 2020-04-01. */
export const SURGE = { startMs: Date.UTC(2020, 3, 1, 14), endMs: Date.UTC(2020, 3, 1, 19) };
/** Share of attempts on the overloaded US primaries that time out at the height of the surge. */
export const SURGE_PEAK_TIMEOUT_SHARE = 0.4;
const OVERLOADED_DATACENTERS = new Set(routeFor('US').primary);
/** Canadian clients that the overloaded US steering answered during the surge, and that therefore use the US lists. */
const MISROUTED_CA_SHARE = 0.5;

const CLIENT_TIMEOUT_MS = SAMPLE_POLICY.fallback.primary_timeout_ms;
const MAX_JOIN_ATTEMPTS = 4;
const BASELINE_ODDS = { timeout: 0.004, refused: 0.003, error: 0.003 };
/** After a quick refusal or error, most clients try another primary before the backup bridges. */
const RETRY_PRIMARY_SHARE = 0.7;
/** From outside China, attempts on Chinese datacenters often stall at the border. */
const CROSS_BORDER_CN_ODDS = { timeout: 0.06, refused: 0.04, error: 0.01 };
const KEY_EXCHANGE_SHARE = 0.1;
const MEDIA_SHARE = 0.45;
const OTHER_TRAFFIC_SHARE = 0.03;

const MEETING_SIZES = [
  { value: 1, weight: 0.3 },
  { value: 2, weight: 0.25 },
  { value: 3, weight: 0.15 },
  { value: 4, weight: 0.1 },
  { value: 6, weight: 0.1 },
  { value: 9, weight: 0.06 },
  { value: 14, weight: 0.04 },
];

const CLIENT_APPS = [
  { value: 'Zoom 4.6.9 (Windows 10, x64)', weight: 0.42 },
  { value: 'Zoom 4.6.9 (macOS 10.15.4)', weight: 0.2 },
  { value: 'Zoom 4.6.8 (iOS 13.4)', weight: 0.14 },
  { value: 'Zoom 4.6.8 (Android 10)', weight: 0.12 },
  { value: 'Zoom 4.6.7 (Windows 7, x86)', weight: 0.06 },
  { value: 'Zoom 4.6.9 (Chrome OS)', weight: 0.04 },
  { value: 'Zoom 4.6.7 (Linux "Ubuntu 18.04", x64)', weight: 0.02 },
];
const SHORT_TIMEOUT_APP = 'Zoom 4.6.10 beta (Windows 10, x64)';

/**
 * Clients on a corporate VPN whose exit is abroad: they declare their own country,
 * and their address is in the exit's country (country-mismatch findings).
 */
const VPN_CLIENTS = [
  { dayIndex: 1, country: 'DE', exit: 'US' },
  { dayIndex: 2, country: 'DE', exit: 'US' },
  { dayIndex: 3, country: 'FR', exit: 'GB' },
] as const;

/** Rough network distance between a client region and a datacenter region. */
const CONTINENT: Record<string, string> = { US: 'NA', CA: 'NA', LATAM: 'SA', EU: 'EU', IN: 'AS', CN: 'AS', 'JP-HK': 'AS', AU: 'OC' };

interface Client {
  userId: string;
  country: string;
  ip: string;
  app: string;
}

interface SessionPlan {
  client: Client;
  /** By the client's country; null where no region lists it. */
  clientRegion: string | null;
  meetingId: string;
  accountId: string | null;
  startMs: number;
}

interface JoinStep {
  dcId: string;
  tier: Tier;
  outcome: Outcome;
  latencyMs: number;
  /** From this attempt's start to the next one's. */
  nextAfterMs: number;
}

/** Which optional fields a session's records carry. */
interface RecordShape {
  logsTier: boolean;
  /** Whether a connected session exchanges keys, for scripted sessions whose note says so; left to chance when absent. */
  keyExchange?: boolean;
  /** `later`: the first record lacks the country and later ones have it. */
  country: 'all' | 'later' | 'none';
  lowercaseCountry: boolean;
  withIp: boolean;
  withAccount: boolean;
}

const FULL_SHAPE: RecordShape = { logsTier: true, country: 'all', lowercaseCountry: false, withIp: true, withAccount: true };

interface Contact {
  tsMs: number;
  dcId: string;
  tier: Tier;
  outcome: Outcome;
  latencyMs: number;
  traffic: TrafficKind;
}

export function simulateTraffic(options: { sessions: number; seed: number }): SimulatedTraffic {
  const simulation = new Simulation(new Random(options.seed));
  simulation.writeScriptedSessions();
  simulation.writeMeetings(Math.max(0, options.sessions - simulation.scripted.length - VPN_CLIENTS.length));
  simulation.writeVpnSessions();
  const records = simulation.records.sort((a, b) => a.tsMs - b.tsMs || compareText(a.sessionId, b.sessionId) || a.attempt - b.attempt);
  return { records, scripted: simulation.scripted };
}

export function inSurge(tMs: number): boolean {
  return tMs >= SURGE.startMs && tMs < SURGE.endMs;
}

/** Ramps up over 45 minutes, holds, and eases off over the last hour. */
function surgeTimeoutShare(tMs: number): number {
  if (!inSurge(tMs)) return 0;
  const rampUp = (tMs - SURGE.startMs) / (45 * MINUTE_MS);
  const rampDown = (SURGE.endMs - tMs) / (60 * MINUTE_MS);
  return SURGE_PEAK_TIMEOUT_SHARE * Math.min(1, rampUp, rampDown);
}

function localHour(country: string, tMs: number): { hour: number; weekend: boolean } {
  const local = new Date(tMs + countryProfile(country).utcOffsetMinutes * MINUTE_MS);
  const weekday = local.getUTCDay();
  return { hour: local.getUTCHours() + local.getUTCMinutes() / 60, weekend: weekday === 0 || weekday === 6 };
}

/** Relative load in a country at an instant: office hours busy, nights and weekends quiet. At most 1. */
function activity(country: string, tMs: number): number {
  const { hour, weekend } = localHour(country, tMs);
  const level = hour < 6 ? 0.04 : hour < 8 ? 0.3 : hour < 12 ? 1 : hour < 13 ? 0.8 : hour < 17 ? 1 : hour < 19 ? 0.55 : hour < 22 ? 0.25 : 0.08;
  return weekend ? level * 0.3 : level;
}

/**
 * The backup bridge prefers datacenters with room to spare: cloud capacity is
 * large, and a datacenter whose own country sleeps is idle. That is why the
 * Chinese datacenters, at night during the US business day, draw so many of
 * the US fallbacks once they are on the whitelist.
 */
function spareCapacity(dcId: string, tMs: number): number {
  const dc = findDatacenter(dcId);
  const idle = dc ? 1 - activity(dc.country, tMs) : 0;
  return (isCloud(dcId) ? 3 : 1) * (0.3 + idle);
}

function failureOdds(dcId: string, clientRegion: string | null, tMs: number): typeof BASELINE_ODDS {
  if (regionOfDatacenter(dcId) === 'CN' && clientRegion !== 'CN') return CROSS_BORDER_CN_ODDS;
  if (OVERLOADED_DATACENTERS.has(dcId)) return { ...BASELINE_ODDS, timeout: Math.max(BASELINE_ODDS.timeout, surgeTimeoutShare(tMs)) };
  return BASELINE_ODDS;
}

function restrictedRegions(accountId: string | null): string[] | null {
  return SAMPLE_POLICY.accounts.find((account) => account.id === accountId)?.allowed_regions ?? null;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class Simulation {
  readonly records: AttemptRecord[] = [];
  readonly scripted: ScriptedSession[] = [];
  private readonly usedIds = new Set<string>();
  private readonly clientsByCountry = new Map<string, Client[]>();
  private readonly accountsByRegion = new Map<string, string[]>();

  constructor(private readonly random: Random) {
    for (const { region, share } of REGION_TRAFFIC) {
      const count = Math.max(5, Math.round(share * 150));
      this.accountsByRegion.set(
        region,
        Array.from({ length: count }, () => this.uniqueId(() => `acct-${this.random.int(10_000, 99_999)}`)),
      );
    }
  }

  writeMeetings(sessions: number): void {
    let written = 0;
    while (written < sessions) {
      const host = this.random.weighted(REGION_TRAFFIC.map((region) => ({ value: region, weight: region.share })));
      const hostCountry = this.random.weighted(host.countries);
      const startMs = this.busyInstant(hostCountry);
      const accountId = this.hostAccount(host.region);
      const meetingId = this.meetingId();
      const size = Math.min(sessions - written, this.random.weighted(MEETING_SIZES));
      for (let i = 0; i < size; i++) {
        const country = this.participantCountry(host.region, accountId);
        const joinMs = startMs + (i === 0 ? 0 : this.random.int(0, 5 * MINUTE_MS));
        this.writeOrdinarySession({ client: this.client(country), clientRegion: regionOfCountry(country), meetingId, accountId, startMs: joinMs });
      }
      written += size;
    }
  }

  /** The sessions that make sure every detection and every edge of the definitions has something to find. */
  writeScriptedSessions(): void {
    const day = (index: number) => SAMPLE_START_MS + index * DAY_MS;

    for (const [dayIndex, country] of [[0, 'US'], [1, 'DE'], [3, 'BR'], [4, 'IN']] as const) {
      const plan = this.scriptedPlan(country, this.officeInstant(country, day(dayIndex)), { app: SHORT_TIMEOUT_APP });
      const route = routeFor(this.regionOf(country));
      const giveUpMs = this.random.int(2400, 2900);
      this.script('premature-fallback', 'a beta client gave up on its primary after about 2.5 s and went to a secondary: premature-fallback', plan, [
        { dcId: this.random.pick(route.primary), tier: 'primary', outcome: 'timeout', latencyMs: giveUpMs, nextAfterMs: giveUpMs + this.random.int(20, 60) },
        this.connectStep(this.random.pick(route.secondary), 'secondary', plan),
      ]);
    }

    {
      const plan = this.scriptedPlan('FR', this.officeInstant('FR', day(2)));
      this.script('secondary-first', 'its first attempt went to a secondary: premature-fallback', plan, [this.connectStep('eu-aws1', 'secondary', plan)]);
    }

    {
      const plan = this.scriptedPlan('US', this.officeInstant('US', day(1)));
      this.script('timeout-boundary', 'secondary attempt exactly 5500 ms after the first primary attempt: not premature, no finding', plan, [
        { dcId: 'us-iad1', tier: 'primary', outcome: 'timeout', latencyMs: CLIENT_TIMEOUT_MS, nextAfterMs: CLIENT_TIMEOUT_MS },
        this.connectStep('us-aws1', 'secondary', plan),
      ]);
    }

    for (const [dayIndex, country, staleDc] of [[0, 'US', 'us-nyc1'], [3, 'US', 'us-nyc1'], [4, 'GB', 'eu-dub1']] as const) {
      const plan = this.scriptedPlan(country, this.officeInstant(country, day(dayIndex)));
      const route = routeFor(this.regionOf(country));
      this.script('unknown-datacenter', `a stale client configuration tried ${staleDc}, which is not in the catalog: unknown-datacenter`, plan, [
        this.failStep(staleDc, 'primary', 'refused', plan),
        this.connectStep(this.random.pick(route.primary), 'primary', plan),
      ]);
    }

    const neverConnected: { dayIndex: number; country: string; outcome: Failure; ip?: string }[] = [
      { dayIndex: 0, country: 'US', outcome: 'error', ip: `198.51.100.${this.random.int(2, 254)}` },
      { dayIndex: 1, country: 'DE', outcome: 'timeout' },
      { dayIndex: 2, country: 'JP', outcome: 'refused' },
      { dayIndex: 4, country: 'IN', outcome: 'error', ip: `2001:db8:${this.random.int(1, 0xffff).toString(16)}::${this.random.int(1, 0xffff).toString(16)}` },
    ];
    for (const { dayIndex, country, outcome, ip } of neverConnected) {
      const plan = this.scriptedPlan(country, this.officeInstant(country, day(dayIndex)), { ip });
      const route = routeFor(this.regionOf(country));
      this.script('never-connected', `every attempt ended ${outcome} (a blocking firewall): one of the sessions that never connected`, plan, [
        this.failStep(route.primary[0] as string, 'primary', outcome, plan),
        ...route.secondary.slice(0, 2).map((dcId) => this.failStep(dcId, 'secondary', outcome, plan)),
      ]);
    }

    for (const [dayIndex, country] of [[0, 'US'], [2, 'US'], [3, 'DE'], [4, 'AU']] as const) {
      const plan = this.scriptedPlan(country, this.officeInstant(country, day(dayIndex)));
      this.script(
        'unknown-region',
        'no client_country and no client_ip: client region unknown, admitted by no fence',
        plan,
        [this.connectStep(this.random.pick(routeFor(this.regionOf(country)).primary), 'primary', plan)],
        { ...FULL_SHAPE, country: 'none', withIp: false },
      );
    }

    for (let dayIndex = 0; dayIndex < SAMPLE_DAYS; dayIndex++) {
      const plan = this.scriptedPlan('ZA', this.officeInstant('ZA', day(dayIndex)));
      // No region lists ZA; the client app falls back on the European lists.
      this.script('unmapped-region', 'client_country ZA is listed in no region: client region unmapped, no finding', plan, [
        this.connectStep(this.random.pick(['eu-lhr1', 'eu-ams1']), 'primary', plan),
      ]);
    }

    for (const [dayIndex, dcId] of [[1, 'us-iad1'], [1, 'us-iad1'], [3, 'us-sjc1']] as const) {
      const plan = this.scriptedPlan('US', this.officeInstant('US', day(dayIndex)), { accountId: RESTRICTED_EU_ACCOUNT });
      this.script(
        'account-routing',
        `a ${RESTRICTED_EU_ACCOUNT} (EU only) employee travelling in the US connected to ${dcId}: account-routing${dcId === 'us-iad1' ? '; the suppression for it expired on 2020-03-01' : ''}`,
        plan,
        [this.connectStep(dcId, 'primary', plan)],
      );
    }

    for (const dcId of ['eu-ams1', 'eu-fra1', 'eu-ams1', 'eu-fra1']) {
      const plan = this.scriptedPlan('US', this.surgePeakInstant(), { accountId: RESTRICTED_US_ACCOUNT });
      const suppressed = dcId === 'eu-ams1';
      this.script(
        suppressed ? 'account-routing-suppressed' : 'account-routing',
        `an ${RESTRICTED_US_ACCOUNT} (US, CA only) session fell back to ${dcId} during the surge: account-routing${suppressed ? ', suppressed by SEC-1' : ''}`,
        plan,
        [this.failStep(this.random.pick(routeFor('US').primary), 'primary', 'timeout', plan), this.connectStep(dcId, 'secondary', plan)],
      );
    }

    {
      const plan = this.scriptedPlan('US', this.surgePeakInstant());
      this.script('geofence-contact', 'fell back to cn-sha1, was refused, then connected to us-oci1: geofence-contact', plan, [
        this.failStep(this.random.pick(routeFor('US').primary), 'primary', 'timeout', plan),
        this.failStep('cn-sha1', 'secondary', 'refused', plan),
        this.connectStep('us-oci1', 'secondary', plan),
      ]);
    }

    // The story must hold for any seed: US and misrouted Canadian sessions on Chinese datacenters, some exchanging keys there.
    const toChina = [
      { country: 'US', dcId: 'cn-pek1', keyExchange: true },
      { country: 'CA', dcId: 'cn-sha1', keyExchange: true },
      { country: 'CA', dcId: 'cn-pek1', keyExchange: false },
    ] as const;
    for (const { country, dcId, keyExchange } of toChina) {
      const plan = this.scriptedPlan(country, this.surgePeakInstant());
      const misrouted = country === 'CA' ? ' (a Canadian client steered to the US lists, so also unlisted-datacenter)' : '';
      this.script(
        keyExchange ? 'geofence-key-exchange' : 'geofence',
        `timed out on a US primary, then connected to ${dcId}${keyExchange ? ' and exchanged keys there' : ''}${misrouted}: geofence${keyExchange ? ', critical' : ''}`,
        plan,
        [this.failStep(this.random.pick(routeFor('US').primary), 'primary', 'timeout', plan), this.connectStep(dcId, 'secondary', plan)],
        { ...FULL_SHAPE, keyExchange },
      );
    }
  }

  /**
   * The VPN clients, written after the meetings (unlike the other scripted
   * sessions) so that adding them left every earlier random draw, and so the
   * simulated traffic and its story, as it was.
   */
  writeVpnSessions(): void {
    for (const { dayIndex, country, exit } of VPN_CLIENTS) {
      const plan = this.scriptedPlan(country, this.officeInstant(country, SAMPLE_START_MS + dayIndex * DAY_MS), { ip: this.address(exit) });
      this.script(
        'country-mismatch',
        `declared ${country} over a corporate VPN whose exit address is in ${exit}: country-mismatch (${country} to ${exit}); the declared country keeps it in region ${this.regionOf(country)}`,
        plan,
        [this.connectStep(this.random.pick(routeFor(this.regionOf(country)).primary), 'primary', plan)],
      );
    }
  }

  private writeOrdinarySession(plan: SessionPlan): void {
    const misrouted = plan.clientRegion === 'CA' && inSurge(plan.startMs) && this.random.chance(MISROUTED_CA_SHARE);
    const route = routeFor(misrouted ? 'US' : this.regionOf(plan.client.country));
    const steps = this.join(route, plan);
    const countryRoll = this.random.next();
    this.emit(plan, steps, {
      logsTier: !this.random.chance(0.15),
      country: countryRoll < 0.01 ? 'none' : countryRoll < 0.03 ? 'later' : 'all',
      lowercaseCountry: this.random.chance(0.02),
      withIp: true,
      withAccount: !this.random.chance(0.01),
    });
  }

  /** Primaries first; after a timeout the client has waited long enough and goes to the backup bridges, after a quick refusal it may try another primary. */
  private join(route: { primary: string[]; secondary: string[] }, plan: SessionPlan): JoinStep[] {
    const primaries = this.random.shuffled(route.primary);
    let secondaries: string[] | null = null;
    let tier: Tier = 'primary';
    let tMs = plan.startMs;
    const steps: JoinStep[] = [];
    while (steps.length < MAX_JOIN_ATTEMPTS) {
      let dcId = tier === 'primary' ? primaries.shift() : undefined;
      if (dcId === undefined) {
        tier = 'secondary';
        secondaries ??= this.random.weightedOrder(route.secondary.map((id) => ({ value: id, weight: spareCapacity(id, tMs) })));
        dcId = secondaries.shift();
      }
      if (dcId === undefined) break;
      const odds = failureOdds(dcId, plan.clientRegion, tMs);
      const roll = this.random.next();
      const outcome: Outcome =
        roll < odds.timeout ? 'timeout' : roll < odds.timeout + odds.refused ? 'refused' : roll < odds.timeout + odds.refused + odds.error ? 'error' : 'connected';
      const step = outcome === 'connected' ? this.connectStep(dcId, tier, plan) : this.failStep(dcId, tier, outcome, plan);
      steps.push(step);
      if (outcome === 'connected') break;
      tMs += step.nextAfterMs;
      if (outcome === 'timeout' || !this.random.chance(RETRY_PRIMARY_SHARE)) tier = 'secondary';
    }
    return steps;
  }

  private connectStep(dcId: string, tier: Tier, plan: SessionPlan): JoinStep {
    return { dcId, tier, outcome: 'connected', latencyMs: this.roundTrip(plan.clientRegion, dcId) + this.random.int(5, 40), nextAfterMs: 0 };
  }

  private failStep(dcId: string, tier: Tier, outcome: Failure, plan: SessionPlan): JoinStep {
    const latencyMs =
      outcome === 'timeout' ? CLIENT_TIMEOUT_MS + this.random.int(0, 30) : outcome === 'refused' ? this.roundTrip(plan.clientRegion, dcId) : this.random.int(200, 1500);
    const pauseMs = outcome === 'timeout' ? this.random.int(4, 40) : this.random.int(150, 900);
    return { dcId, tier, outcome, latencyMs, nextAfterMs: latencyMs + pauseMs };
  }

  private roundTrip(clientRegion: string | null, dcId: string): number {
    const dcRegion = regionOfDatacenter(dcId);
    if (clientRegion !== null && clientRegion === dcRegion) return this.random.int(12, 70);
    if (clientRegion !== null && dcRegion !== null && CONTINENT[clientRegion] === CONTINENT[dcRegion]) return this.random.int(35, 120);
    return this.random.int(140, 320);
  }

  /** Writes the session's join attempts and, once connected, its traffic on the same datacenter. */
  private emit(plan: SessionPlan, steps: JoinStep[], shape: RecordShape): string {
    const sessionId = this.uniqueId(() => this.random.hex(12));
    const contacts: Contact[] = [];
    let tMs = plan.startMs;
    for (const step of steps) {
      contacts.push({ tsMs: tMs, dcId: step.dcId, tier: step.tier, outcome: step.outcome, latencyMs: step.latencyMs, traffic: 'signaling' });
      tMs += step.nextAfterMs;
    }
    const joined = contacts.at(-1);
    if (joined?.outcome === 'connected') contacts.push(...this.sessionTraffic(joined, shape.keyExchange));
    contacts.sort((a, b) => a.tsMs - b.tsMs);

    const profile = countryProfile(plan.client.country);
    const country = shape.lowercaseCountry ? plan.client.country.toLowerCase() : plan.client.country;
    const countryFrom = shape.country === 'later' && contacts.length === 1 ? 'all' : shape.country;
    contacts.forEach((contact, index) => {
      this.records.push({
        tsMs: contact.tsMs,
        utcOffsetMinutes: profile.logsLocalTime ? profile.utcOffsetMinutes : null,
        sessionId,
        dcId: contact.dcId,
        outcome: contact.outcome,
        tier: shape.logsTier ? contact.tier : null,
        attempt: index + 1,
        latencyMs: contact.latencyMs,
        accountId: shape.withAccount ? plan.accountId : null,
        meetingId: plan.meetingId,
        userId: plan.client.userId,
        clientIp: shape.withIp ? plan.client.ip : null,
        clientCountry: countryFrom === 'all' || (countryFrom === 'later' && index > 0) ? country : null,
        traffic: contact.traffic,
        clientApp: index === 0 ? plan.client.app : null,
      });
    });
    return sessionId;
  }

  private sessionTraffic(joined: Contact, keyExchange: boolean | undefined): Contact[] {
    const connectedAtMs = joined.tsMs + joined.latencyMs;
    const follow = (traffic: TrafficKind, delayMs: number): Contact => ({
      ...joined,
      tsMs: connectedAtMs + delayMs,
      latencyMs: Math.max(1, joined.latencyMs + this.random.int(-10, 10)),
      traffic,
    });
    const traffic: Contact[] = [];
    if (keyExchange ?? this.random.chance(KEY_EXCHANGE_SHARE)) traffic.push(follow('key_exchange', this.random.int(40, 400)));
    if (this.random.chance(MEDIA_SHARE)) traffic.push(follow('media', this.random.int(300, 2500)));
    if (this.random.chance(OTHER_TRAFFIC_SHARE)) traffic.push(follow('other', this.random.int(2000, 20_000)));
    return traffic;
  }

  private script(kind: ScriptedCase, note: string, plan: SessionPlan, steps: JoinStep[], shape: RecordShape = FULL_SHAPE): void {
    this.scripted.push({ sessionId: this.emit(plan, steps, shape), case: kind, note });
  }

  private scriptedPlan(country: string, startMs: number, options: { accountId?: string; app?: string; ip?: string | undefined } = {}): SessionPlan {
    const client = { ...this.client(country), ...(options.app ? { app: options.app } : {}), ...(options.ip ? { ip: options.ip } : {}) };
    const region = regionOfCountry(country);
    return {
      client,
      clientRegion: region,
      meetingId: this.meetingId(),
      accountId: options.accountId ?? this.random.pick(this.accountsByRegion.get(region ?? 'EU') ?? []),
      startMs,
    };
  }

  /** The region whose lists a client's app uses; ZA clients use the European ones. */
  private regionOf(country: string): string {
    return regionOfCountry(country) ?? 'EU';
  }

  private hostAccount(region: string): string {
    if (region === 'US' && this.random.chance(0.12)) return RESTRICTED_US_ACCOUNT;
    if (region === 'EU' && this.random.chance(0.12)) return RESTRICTED_EU_ACCOUNT;
    return this.random.pick(this.accountsByRegion.get(region) ?? []);
  }

  /** Most participants are local; meetings of accounts with a data-routing selection keep to their allowed regions. */
  private participantCountry(hostRegion: string, accountId: string | null): string {
    const allowed = restrictedRegions(accountId);
    const candidates = REGION_TRAFFIC.filter((region) => allowed === null || allowed.includes(region.region));
    const region = this.random.chance(0.85)
      ? (candidates.find((candidate) => candidate.region === hostRegion) ?? this.random.pick(candidates))
      : this.random.weighted(candidates.map((candidate) => ({ value: candidate, weight: candidate.share })));
    return this.random.weighted(region.countries);
  }

  /** People join meetings again: a third of the time the participant is someone seen before. */
  private client(country: string): Client {
    const known = this.clientsByCountry.get(country) ?? [];
    if (known.length > 0 && this.random.chance(0.35)) return this.random.pick(known);
    const client: Client = {
      userId: this.uniqueId(() => `u${this.random.int(1_000_000, 9_999_999)}`),
      country,
      ip: this.address(country),
      app: this.random.weighted(CLIENT_APPS),
    };
    known.push(client);
    this.clientsByCountry.set(country, known);
    return client;
  }

  private address(country: string): string {
    const profile = countryProfile(country);
    if (profile.ipv6.length > 0 && this.random.chance(0.08)) {
      const interfaceGroups = Array.from({ length: 6 }, () => this.random.int(1, 0xffff).toString(16));
      return `${this.random.pick(profile.ipv6)}:${interfaceGroups.join(':')}`;
    }
    return `${this.random.pick(profile.ipv4)}.${this.random.int(0, 255)}.${this.random.int(1, 254)}`;
  }

  private meetingId(): string {
    return this.uniqueId(() => String(this.random.int(1_000_000_000, 99_999_999_999)));
  }

  private uniqueId(draw: () => string): string {
    for (;;) {
      const id = draw();
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }

  /** A meeting start, more likely when the host's country is at work; late enough in the week that its records stay inside it. */
  private busyInstant(country: string): number {
    for (;;) {
      const tMs = SAMPLE_START_MS + Math.floor(this.random.next() * (SAMPLE_END_MS - SAMPLE_START_MS - 15 * MINUTE_MS));
      if (this.random.chance(activity(country, tMs))) return tMs;
    }
  }

  /** An instant of the given UTC day during office hours in the country. */
  private officeInstant(country: string, dayStartMs: number): number {
    for (;;) {
      const tMs = dayStartMs + Math.floor(this.random.next() * (DAY_MS - 15 * MINUTE_MS));
      const { hour } = localHour(country, tMs);
      if (hour >= 9 && hour < 17) return tMs;
    }
  }

  /** Between the end of the ramp-up and the start of the ease-off. */
  private surgePeakInstant(): number {
    return SURGE.startMs + 45 * MINUTE_MS + Math.floor(this.random.next() * (SURGE.endMs - SURGE.startMs - 105 * MINUTE_MS));
  }
}
