/**
 * The sample's key numbers for its README, computed from the generated
 * records with the definitions of docs/detections.md (client region from the
 * first non-null country, else the country of the first address; tier from the
 * log else from the routing lists), so
 * that the README states what an audit of the sample should find.
 */
import { SURGE, inSurge, type AttemptRecord } from './traffic.js';
import { SAMPLE_POLICY, countryOfAddress, regionOfCountry, regionOfDatacenter } from './world.js';

export interface FallbackCount {
  /** Sessions with at least one connected attempt. */
  connected: number;
  /** Of them, those whose last connected attempt was tier secondary. */
  viaSecondary: number;
}

export interface ScenarioSummary {
  sessions: number;
  records: number;
  neverConnected: number;
  sessionsByClientRegion: { region: string; sessions: number }[];
  usFallbackInSurge: FallbackCount;
  usFallbackOutsideSurge: FallbackCount;
  /** US fallback per UTC hour of the surge day, from two hours before the surge to two after. */
  usFallbackByHour: ({ hourStartMs: number } & FallbackCount)[];
  /** Sessions from outside the fence that connected to a Chinese datacenter, per client region. */
  connectedToChina: { clientRegion: string; sessions: number; withKeyExchange: number; outsideSurge: number }[];
}

interface SessionView {
  startMs: number;
  clientRegion: string;
  attempts: AttemptRecord[];
}

const HOUR_MS = 3_600_000;

export function summarizeScenario(records: readonly AttemptRecord[]): ScenarioSummary {
  const sessions = sessionViews(records);
  const us = sessions.filter((session) => session.clientRegion === 'US');
  const firstHourMs = SURGE.startMs - 2 * HOUR_MS;
  const hours = Math.round((SURGE.endMs - SURGE.startMs) / HOUR_MS) + 4;
  const regions = [...Object.keys(SAMPLE_POLICY.regions), 'unmapped', 'unknown'];

  return {
    sessions: sessions.length,
    records: records.length,
    neverConnected: sessions.filter((session) => !session.attempts.some((attempt) => attempt.outcome === 'connected')).length,
    sessionsByClientRegion: regions.map((region) => ({ region, sessions: sessions.filter((session) => session.clientRegion === region).length })),
    usFallbackInSurge: countFallback(us.filter((session) => inSurge(session.startMs))),
    usFallbackOutsideSurge: countFallback(us.filter((session) => !inSurge(session.startMs))),
    usFallbackByHour: Array.from({ length: hours }, (_, index) => {
      const hourStartMs = firstHourMs + index * HOUR_MS;
      return { hourStartMs, ...countFallback(us.filter((session) => session.startMs >= hourStartMs && session.startMs < hourStartMs + HOUR_MS)) };
    }),
    connectedToChina: ['US', 'CA'].map((clientRegion) => {
      const reached = sessions.filter(
        (session) => session.clientRegion === clientRegion && session.attempts.some((attempt) => attempt.outcome === 'connected' && isChina(attempt.dcId)),
      );
      return {
        clientRegion,
        sessions: reached.length,
        withKeyExchange: reached.filter((session) => session.attempts.some((attempt) => attempt.traffic === 'key_exchange' && isChina(attempt.dcId))).length,
        outsideSurge: reached.filter((session) => !inSurge(session.startMs)).length,
      };
    }),
  };
}

function isChina(dcId: string): boolean {
  return regionOfDatacenter(dcId) === 'CN';
}

function sessionViews(records: readonly AttemptRecord[]): SessionView[] {
  const bySession = new Map<string, AttemptRecord[]>();
  for (const record of [...records].sort((a, b) => a.tsMs - b.tsMs)) {
    const attempts = bySession.get(record.sessionId) ?? [];
    attempts.push(record);
    bySession.set(record.sessionId, attempts);
  }
  return [...bySession.values()].map((attempts) => {
    const declared = attempts.find((attempt) => attempt.clientCountry !== null)?.clientCountry?.toUpperCase();
    const address = attempts.find((attempt) => attempt.clientIp !== null)?.clientIp ?? null;
    const country = declared ?? (address === null ? undefined : (countryOfAddress(address) ?? undefined));
    return {
      startMs: attempts[0]?.tsMs ?? 0,
      clientRegion: country === undefined ? 'unknown' : (regionOfCountry(country) ?? 'unmapped'),
      attempts,
    };
  });
}

function tierOf(attempt: AttemptRecord, clientRegion: string): string {
  if (attempt.tier !== null) return attempt.tier;
  const route = SAMPLE_POLICY.routing[clientRegion];
  if (route?.primary.includes(attempt.dcId)) return 'primary';
  if (route?.secondary.includes(attempt.dcId)) return 'secondary';
  return 'unlisted';
}

function countFallback(sessions: readonly SessionView[]): FallbackCount {
  let connected = 0;
  let viaSecondary = 0;
  for (const session of sessions) {
    const lastConnected = session.attempts.filter((attempt) => attempt.outcome === 'connected').at(-1);
    if (!lastConnected) continue;
    connected++;
    if (tierOf(lastConnected, session.clientRegion) === 'secondary') viaSecondary++;
  }
  return { connected, viaSecondary };
}
