import type { Network } from './network.js';

/** The routing policy as routeaudit uses it, after parsing and validation. See docs/policy.md. */

export interface Datacenter {
  id: string;
  /** ISO-3166 alpha-2, upper case. */
  country: string;
  operator: string | null;
  /** The explicit `region` field, else the region that lists `country`, else null (unmapped). */
  region: string | null;
  /** Other strings logs use for it (a provider's display name): exact, or with `*` standing for any text. */
  names: string[];
  /** Its address blocks: an attempt no id or name places is placed by its dc_ip in them (the most specific block wins). */
  networks: Network[];
}

/** A block of client addresses whose country the policy states (office ranges behind a sensor). */
export interface ClientNetwork {
  network: Network;
  country: string;
}

export interface RegionRouting {
  primary: string[];
  secondary: string[];
}

/**
 * What a fence does with a client no region places (client region `unknown` or `unmapped`):
 * `violation` (fail-closed) judges it as a client the fence does not admit; `review` lists its
 * contacts as `unplaced-fenced-contact` findings instead.
 */
export type UnplacedClients = 'violation' | 'review';

export interface Fence {
  id: string;
  datacenterRegions: string[];
  clientRegions: string[];
  unplacedClients: UnplacedClients;
}

export interface AccountSelection {
  id: string;
  homeRegion: string;
  allowedRegions: string[];
}

export interface FallbackSettings {
  primaryTimeoutMs: number;
  /** A share in [0, 1]. */
  maxRate: number;
  /** Window length in milliseconds; windows are aligned to UTC epoch multiples. */
  windowMs: number;
  minSessions: number;
}

export interface Suppression {
  /** Position in the policy's `suppressions` list, for messages. */
  index: number;
  rule: string;
  account: string | null;
  datacenter: string | null;
  clientRegion: string | null;
  /** ISO-8601 UTC instant: the suppression applies to sessions that start before it. */
  until: string;
  reason: string;
}

export interface Policy {
  version: 1;
  /** Region id -> ISO countries, in file order. */
  regions: Record<string, string[]>;
  datacenters: Datacenter[];
  /** Client address blocks placed by the policy, before the geo database (docs/policy.md). */
  clientNetworks: ClientNetwork[];
  /** Client region id -> its primary datacenters and backup-bridge whitelist. */
  routing: Record<string, RegionRouting>;
  fences: Fence[];
  accounts: AccountSelection[];
  fallback: FallbackSettings;
  incidentGapMs: number;
  /** An open incident with no finding for this long after its last session is resolved (docs/detections.md). */
  quietPeriodMs: number;
  suppressions: Suppression[];
}

export interface LoadedPolicy {
  policy: Policy;
  /** Path as the user gave it. */
  file: string;
  /** SHA-256 of the file's bytes, hex; the run-to-run diff compares runs of the same policy by it. */
  sha256: string;
}
