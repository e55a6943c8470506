/**
 * Reads a routing policy file (the format: docs/policy.md) into a `Policy`.
 *
 * Validation walks YAML's syntax tree rather than plain values, so that each
 * problem names the line of the node at fault. Every problem is collected and
 * all are thrown together as one PolicyError, so that a policy is fixed in one
 * pass; bad input never throws anything else. A reference (a routing entry
 * naming a datacenter) is checked only when the section it refers to could be
 * read, so that one broken section does not bury its cause under follow-on
 * problems.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, isAlias, isMap, isNode, isScalar, isSeq, parseDocument, visit, type Alias, type Document, type Node, type YAMLError } from 'yaml';
import { PolicyError, UserError, type PolicyProblem } from '../errors.js';
import { parseDuration } from './duration.js';
import { SUPPRESSION_MATCHERS, loadRegistry, type Registry } from '../detect/registry.js';
import { parseNetwork, type Network } from './network.js';
import type { AccountSelection, ClientNetwork, Datacenter, FallbackSettings, Fence, LoadedPolicy, Policy, RegionRouting, Suppression, UnplacedClients } from './types.js';

/** Region ids the detections give to sessions without a region; a policy region of either name would be ambiguous. */
export const SESSION_ONLY_REGIONS = ['unknown', 'unmapped'] as const;

const DEFAULT_FALLBACK: FallbackSettings = { primaryTimeoutMs: 5500, maxRate: 0.05, windowMs: 3_600_000, minSessions: 20 };
const DEFAULT_INCIDENT_GAP_MS = 1_800_000;
const DEFAULT_QUIET_PERIOD_MS = 7 * 86_400_000;
const DAY_MS = 86_400_000;
/** Values that aliases may add to the document in all: ample for reuse, fatal to a "billion laughs" document. */
const ALIAS_EXPANSION_LIMIT = 10_000;
const DURATION_EXAMPLES = 'e.g. 90s, 30m, 1h, 1h30m, 1d, 2w';

const TOP_KEYS = ['version', 'regions', 'datacenters', 'client_networks', 'routing', 'fences', 'accounts', 'fallback', 'incident_gap', 'quiet_period', 'suppressions'];
const DATACENTER_KEYS = ['id', 'country', 'operator', 'region', 'names', 'networks'];
const CLIENT_NETWORK_KEYS = ['network', 'country'];
const ROUTING_KEYS = ['primary', 'secondary'];
const FENCE_KEYS = ['id', 'datacenter_regions', 'client_regions', 'unplaced_clients'];
const UNPLACED_CLIENT_MODES: readonly UnplacedClients[] = ['violation', 'review'];
const ACCOUNT_KEYS = ['id', 'home_region', 'allowed_regions'];
const FALLBACK_KEYS = ['primary_timeout_ms', 'max_rate', 'window', 'min_sessions'];
const SUPPRESSION_KEYS = ['rule', 'account', 'datacenter', 'client_region', 'until', 'reason'];

/** Reads `file` relative to `cwd` (the injected one, not the process's); messages and reports name it as given. */
export function loadPolicy(file: string, cwd: string = process.cwd(), registry: Registry = loadRegistry()): LoadedPolicy {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(cwd, file));
  } catch (error) {
    throw new UserError(`cannot read the policy file ${file}: ${readFailure(error)}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PolicyError(file, [{ path: '', message: 'the file is not UTF-8 text' }]);
  }
  return { policy: parsePolicy(text, file, registry), file, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Parses and validates policy YAML; `file` only names the source in the PolicyError it throws.
 * Suppressions are checked against the rules of `registry` (what each may be suppressed by).
 */
export function parsePolicy(text: string, file: string, registry: Registry = loadRegistry()): Policy {
  const lineCounter = new LineCounter();
  // The core schema, even under a `%YAML 1.1` directive: in YAML 1.1 the country code NO (Norway) is the boolean false.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, schema: 'core' });
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    // The tree after a syntax error is a guess; problems found in it would mislead.
    throw new PolicyError(
      file,
      doc.errors.map((error) =>
        // Where the parser's stack ran out depends on the engine, not the file: no line for that one.
        /Maximum call stack size exceeded/.test(error.message)
          ? problem('', 'invalid YAML: nested too deeply to read (a policy needs a few levels, not hundreds)', undefined)
          : problem('', `invalid YAML: ${yamlMessage(error)} (column ${lineCounter.linePos(error.pos[0]).col})`, lineAt(error.pos[0])),
      ),
    );
  }
  const aliases = resolveAliases(doc, lineAt);
  if (aliases.problems.length > 0) throw new PolicyError(file, aliases.problems);

  const reader = new PolicyReader(lineAt, aliases.targets);
  const policy = readPolicy(reader, registry, reader.locate(doc.contents, '', undefined));
  if (policy === null || reader.problems.length > 0) {
    throw new PolicyError(file, reader.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  }
  return policy;
}

function problem(path: string, message: string, line: number | undefined): PolicyProblem {
  return line === undefined ? { path, message } : { path, message, line };
}

/** YAML's own words, except where they address a programmer rather than the policy's author. */
function yamlMessage(error: YAMLError): string {
  return error.code === 'MULTIPLE_DOCS' ? 'more than one YAML document ("---" starts another); a policy is one document' : error.message;
}

/** A value in the document: its node (aliases followed; null when absent), its path for messages, and the line where it is written. */
interface Located {
  node: Node | null;
  path: string;
  line: number | undefined;
}

type Place = Pick<Located, 'path' | 'line'>;

interface Entry {
  key: string;
  /** The key itself, for problems with the key (its path is the entry's). */
  keyAt: Place;
  value: Located;
}

/** What later sections refer to; a set is null when its section could not be read, and references to it then go unchecked. */
interface References {
  regionIds: Set<string> | null;
  datacenterIds: Set<string> | null;
}

class PolicyReader {
  readonly problems: PolicyProblem[] = [];

  constructor(
    private readonly lineAt: (offset: number) => number,
    private readonly aliasTargets: ReadonlyMap<Alias, Node>,
  ) {}

  report(at: Place, message: string): void {
    this.problems.push(problem(at.path, message, at.line));
  }

  /** `raw` as a Located; the line is where `raw` is written (an alias's own line, not its anchor's), else `fallbackLine`. */
  locate(raw: unknown, path: string, fallbackLine: number | undefined): Located {
    if (!isNode(raw)) return { node: null, path, line: fallbackLine };
    const start = raw.range?.[0];
    const line = start === undefined ? fallbackLine : this.lineAt(start);
    return { node: isAlias(raw) ? (this.aliasTargets.get(raw) ?? null) : raw, path, line };
  }

  /** The entries of a map keyed by ids; null (reported) when `at` is not a map. */
  entries(at: Located, expected: string): Entry[] | null {
    if (!isMap(at.node)) {
      this.report(at, `expected ${expected}, got ${describe(at.node)}`);
      return null;
    }
    const entries: Entry[] = [];
    for (const pair of at.node.items) {
      const keyAt = this.locate(pair.key, at.path, at.line);
      const key = isScalar(keyAt.node) ? keyAt.node.value : undefined;
      if (typeof key !== 'string') {
        this.report(keyAt, `expected a string as key, got ${describe(keyAt.node)}${quoteHint(keyAt.node)}`);
        continue;
      }
      const path = childPath(at.path, key);
      entries.push({ key, keyAt: { path, line: keyAt.line }, value: this.locate(pair.value, path, keyAt.line) });
    }
    return entries;
  }

  /** The fields of a map with a fixed set of keys; an unknown key is a problem, since a misspelt key must not silently drop a rule. */
  fields(at: Located | null, known: readonly string[], expected: string): Fields | null {
    if (at === null) return null;
    const entries = this.entries(at, expected);
    if (entries === null) return null;
    const values = new Map<string, Located>();
    for (const { key, keyAt, value } of entries) {
      if (known.includes(key)) values.set(key, value);
      else this.report(keyAt, `unknown key (expected one of: ${known.join(', ')})${didYouMean(key, known)}`);
    }
    return new Fields(this, at, values);
  }

  list(at: Located | null, expected: string): Located[] | null {
    if (at === null) return null;
    if (!isSeq(at.node)) {
      this.report(at, `expected ${expected}, got ${describe(at.node)}`);
      return null;
    }
    return at.node.items.map((item, index) => this.locate(item, `${at.path}[${index}]`, at.line));
  }

  text(at: Located | null): string | null {
    if (at === null) return null;
    const value = scalarValue(at);
    if (typeof value !== 'string') {
      this.report(at, `expected a string, got ${describe(at.node)}${quoteHint(at.node)}`);
      return null;
    }
    if (value.trim() === '') {
      this.report(at, 'must not be empty');
      return null;
    }
    return value;
  }

  /** A CIDR block (src/policy/network.ts). */
  network(at: Located | null): Network | null {
    const text = this.text(at);
    if (text === null || at === null) return null;
    const network = parseNetwork(text.trim());
    if (typeof network === 'string') {
      this.report(at, network);
      return null;
    }
    return network;
  }

  /** One of `choices`, exactly as written. */
  choice<T extends string>(at: Located | null, choices: readonly T[]): T | null {
    const value = this.text(at);
    if (value === null || at === null) return null;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.report(at, `unknown value ${quote(value)} (expected one of: ${choices.join(', ')})${didYouMean(value, choices)}`);
    return null;
  }

  /** An id that must be unique among `seen` (id -> path of its first use), which it joins. */
  uniqueId(at: Located | null, seen: Map<string, string>, kind: string): string | null {
    const id = this.text(at);
    if (id === null || at === null) return null;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, at.path);
    else this.report(at, `duplicate ${kind} id ${quote(id)} (first at ${first})`);
    return id;
  }

  countryCode(at: Located | null): string | null {
    if (at === null) return null;
    const value = scalarValue(at);
    if (typeof value === 'string' && /^[A-Za-z]{2}$/.test(value)) return value.toUpperCase();
    this.report(
      at,
      typeof value === 'string'
        ? `${quote(value)} is not an ISO-3166 alpha-2 country code (two letters, e.g. DE)`
        : `expected a two-letter country code, got ${describe(at.node)}`,
    );
    return null;
  }

  /** A region id among `regionIds` (unchecked when null) or `alsoAllowed`. */
  regionRef(at: Located | null, regionIds: Set<string> | null, alsoAllowed: readonly string[] = []): string | null {
    const region = this.text(at);
    if (region === null || at === null) return null;
    if (regionIds !== null && !regionIds.has(region) && !alsoAllowed.includes(region)) {
      this.report(at, `unknown region ${quote(region)}`);
    }
    return region;
  }

  /** A list of defined regions; `required` makes an empty list a problem. */
  regionList(at: Located | null, regionIds: Set<string> | null, required: boolean): string[] {
    const items = this.list(at, 'a list of region ids');
    if (items === null || at === null) return [];
    if (required && items.length === 0) this.report(at, 'must list at least one region');
    return items.flatMap((item) => this.regionRef(item, regionIds) ?? []);
  }

  positiveInteger(at: Located | null): number | null {
    if (at === null) return null;
    const value = scalarValue(at);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
    this.report(at, `expected a positive whole number, got ${describe(at.node)}`);
    return null;
  }

  share(at: Located | null): number | null {
    if (at === null) return null;
    const value = scalarValue(at);
    if (typeof value === 'number' && value >= 0 && value <= 1) return value;
    this.report(
      at,
      typeof value === 'number' && !Number.isNaN(value)
        ? `${value} is not between 0 and 1 (it is a share: 0.05 means 5%)`
        : `expected a number between 0 and 1, got ${describe(at.node)}`,
    );
    return null;
  }

  /** A positive duration in milliseconds. */
  duration(at: Located | null): number | null {
    if (at === null) return null;
    const value = scalarValue(at);
    if (typeof value !== 'string') {
      this.report(at, `expected a duration (${DURATION_EXAMPLES}), got ${describe(at.node)}`);
      return null;
    }
    const ms = parseDuration(value);
    if (ms === null) {
      this.report(at, `${quote(value)} is not a duration (${DURATION_EXAMPLES})`);
      return null;
    }
    if (ms === 0) {
      this.report(at, 'must be longer than zero');
      return null;
    }
    return ms;
  }

  /** An instant as an ISO-8601 UTC string: a date means midnight UTC, and a time without an offset is UTC. */
  instant(at: Located | null): string | null {
    if (at === null) return null;
    const value = scalarValue(at);
    // A Date comes only from an explicit `!!timestamp` tag, whose text YAML has checked; plain dates are strings in the core schema.
    if (value instanceof Date) return value.toISOString();
    if (typeof value !== 'string') {
      this.report(at, `expected a date such as 2030-01-01 or 2030-01-01T12:00:00Z, got ${describe(at.node)}`);
      return null;
    }
    const instant = parseInstant(value);
    if (instant === null) this.report(at, `${quote(value)} is not a valid date (write e.g. 2030-01-01 or 2030-01-01T12:00:00Z)`);
    return instant;
  }
}

class Fields {
  constructor(
    private readonly reader: PolicyReader,
    private readonly at: Located,
    private readonly values: ReadonlyMap<string, Located>,
  ) {}

  /** The value of a key that must be present; a missing key is reported on the line of its map. */
  required(key: string, missing = 'missing (required)'): Located | null {
    const value = this.values.get(key);
    if (value === undefined) this.reader.report({ path: childPath(this.at.path, key), line: this.at.line }, missing);
    return value ?? null;
  }

  /** The value of an optional key; null when absent or written empty (`key:` or `key: null`). */
  optional(key: string): Located | null {
    const value = this.values.get(key);
    return value === undefined || scalarValue(value) === null ? null : value;
  }
}

function readPolicy(r: PolicyReader, registry: Registry, root: Located): Policy | null {
  if (scalarValue(root) === null) {
    r.report(root, 'the policy is empty: it needs at least version, regions and datacenters');
    return null;
  }
  const top = r.fields(root, TOP_KEYS, `a map with the policy's sections (${TOP_KEYS.join(', ')})`);
  if (top === null) return null;

  readVersion(r, top.required('version', 'missing (required: add "version: 1")'));
  const regions = readRegions(r, top.required('regions'));
  const datacenters = readDatacenters(r, top.required('datacenters'), regions.ids, regions.regionOfCountry);
  const references: References = { regionIds: regions.ids, datacenterIds: datacenters.ids };
  return {
    version: 1,
    regions: regions.regions,
    datacenters: datacenters.datacenters,
    clientNetworks: readClientNetworks(r, top.optional('client_networks')),
    routing: readRouting(r, top.optional('routing'), references),
    fences: readFences(r, top.optional('fences'), references),
    accounts: readAccounts(r, top.optional('accounts'), references),
    fallback: readFallback(r, top.optional('fallback')),
    incidentGapMs: r.duration(top.optional('incident_gap')) ?? DEFAULT_INCIDENT_GAP_MS,
    quietPeriodMs: r.duration(top.optional('quiet_period')) ?? DEFAULT_QUIET_PERIOD_MS,
    suppressions: readSuppressions(r, top.optional('suppressions'), references, registry),
  };
}

function readVersion(r: PolicyReader, at: Located | null): void {
  if (at === null) return;
  const value = scalarValue(at);
  if (value === 1) return;
  r.report(at, typeof value === 'number' ? `unsupported version ${value} (this routeaudit reads version 1)` : `expected the number 1, got ${describe(at.node)}`);
}

function readRegions(r: PolicyReader, at: Located | null): { regions: Record<string, string[]>; ids: Set<string> | null; regionOfCountry: Map<string, string> } {
  const entries = at && r.entries(at, 'a map of region ids to lists of country codes');
  if (!entries) return { regions: {}, ids: null, regionOfCountry: new Map() };
  const firstListing = new Map<string, { region: string; path: string }>();
  const regions: [string, string[]][] = [];
  for (const { key: region, keyAt, value } of entries) {
    if (region.trim() === '') r.report(keyAt, 'a region id must not be empty');
    else if (isSessionOnlyRegion(region)) r.report(keyAt, `${quote(region)} is reserved: it names sessions without a region; choose another region id`);
    const items = r.list(value, 'a list of country codes');
    if (items?.length === 0) r.report(value, 'must list at least one country');
    const countries: string[] = [];
    for (const item of items ?? []) {
      const country = r.countryCode(item);
      if (country === null) continue;
      const first = firstListing.get(country);
      if (first === undefined) {
        firstListing.set(country, { region, path: item.path });
        countries.push(country);
      } else if (first.region === region) {
        r.report(item, `country ${country} is listed twice in region ${quote(region)} (first at ${first.path})`);
      } else {
        r.report(item, `country ${country} is already in region ${quote(first.region)} (${first.path}); a country belongs to one region`);
      }
    }
    regions.push([region, countries]);
  }
  return {
    // fromEntries, not assignment: a region named "__proto__" must stay a region.
    regions: Object.fromEntries(regions),
    // Even a reserved or empty id counts as defined here, so that what refers to it is not reported a second time.
    ids: new Set(regions.map(([region]) => region)),
    regionOfCountry: new Map([...firstListing].map(([country, { region }]) => [country, region])),
  };
}

function isSessionOnlyRegion(region: string): boolean {
  // Case-insensitive: "Unknown" beside "unknown" in a report would be no clearer than "unknown" itself.
  return (SESSION_ONLY_REGIONS as readonly string[]).includes(region.toLowerCase());
}

function readDatacenters(
  r: PolicyReader,
  at: Located | null,
  regionIds: Set<string> | null,
  regionOfCountry: Map<string, string>,
): { datacenters: Datacenter[]; ids: Set<string> | null } {
  const items = r.list(at, 'a list of datacenters');
  if (items === null) return { datacenters: [], ids: null };
  const seen = new Map<string, string>();
  const names = new Map<string, string>();
  const nameAts: { name: string; at: Located }[] = [];
  // Block (first key and prefix) -> the datacenter and path that listed it first.
  const blocks = new Map<string, { item: Located; id: string | null; path: string }>();
  const named = (dcId: string | null, dcAt: Located) => (dcId === null ? dcAt.path : quote(dcId));
  const datacenters: Datacenter[] = [];
  for (const item of items) {
    const fields = r.fields(item, DATACENTER_KEYS, 'a datacenter: a map with id, country and optionally operator, region, names and networks');
    if (fields === null) continue;
    const id = r.uniqueId(fields.required('id'), seen, 'datacenter');
    const country = r.countryCode(fields.required('country'));
    const operator = r.text(fields.optional('operator'));
    const regionAt = fields.optional('region');
    const countryRegion = country === null ? null : (regionOfCountry.get(country) ?? null);
    const region = regionAt === null ? countryRegion : r.regionRef(regionAt, regionIds);
    const dcNames = (r.list(fields.optional('names'), 'a list of names') ?? []).flatMap((nameAt) => {
      const name = r.text(nameAt);
      if (name === null) return [];
      // One string must name one datacenter; a wildcard may overlap another's (the exact name wins, docs/policy.md).
      const first = names.get(name);
      if (first !== undefined) r.report(nameAt, `the name ${quote(name)} is already a name of another datacenter (${first})`);
      else names.set(name, nameAt.path);
      nameAts.push({ name, at: nameAt });
      return [name];
    });
    const networks = (r.list(fields.optional('networks'), 'a list of CIDR blocks') ?? []).flatMap((networkAt) => {
      const network = r.network(networkAt);
      if (network === null) return [];
      // One address block must place one datacenter; nested blocks may differ (the most specific wins, docs/policy.md).
      const key = `${network.first}/${network.prefixLength}`;
      const first = blocks.get(key);
      if (first === undefined) blocks.set(key, { item, id, path: networkAt.path });
      else if (first.item === item) r.report(networkAt, `the block ${network.text} is listed twice (first at ${first.path})`);
      else {
        r.report(
          networkAt,
          `the block ${network.text} is listed under two datacenters, ${named(first.id, first.item)} (${first.path}) and ${named(id, item)}; a block places one datacenter`,
        );
      }
      return [network];
    });
    if (id !== null && country !== null) datacenters.push({ id, country, operator, region, names: dcNames, networks });
  }
  // A name that is another datacenter's id would place that datacenter's own records elsewhere.
  for (const { name, at: nameAt } of nameAts) {
    const owner = seen.get(name);
    if (owner !== undefined) r.report(nameAt, `the name ${quote(name)} is the id of a datacenter (${owner}); a name must differ from every id`);
  }
  return { datacenters, ids: new Set(seen.keys()) };
}

function readClientNetworks(r: PolicyReader, at: Located | null): ClientNetwork[] {
  const seen = new Map<string, string>();
  return (r.list(at, 'a list of client networks') ?? []).flatMap((item) => {
    const fields = r.fields(item, CLIENT_NETWORK_KEYS, 'a client network: a map with network (a CIDR block) and country');
    if (fields === null) return [];
    const networkAt = fields.required('network');
    const network = r.network(networkAt);
    const country = r.countryCode(fields.required('country'));
    if (network === null || country === null || networkAt === null) return [];
    const key = `${network.first}/${network.prefixLength}`;
    const first = seen.get(key);
    if (first !== undefined) r.report(networkAt, `the block ${network.text} is listed twice (first at ${first})`);
    else seen.set(key, networkAt.path);
    return [{ network, country }];
  });
}

function readRouting(r: PolicyReader, at: Located | null, references: References): Record<string, RegionRouting> {
  const entries = at && r.entries(at, 'a map of client region ids to their primary and secondary datacenters');
  const routing: [string, RegionRouting][] = [];
  for (const { key: region, keyAt, value } of entries ?? []) {
    if (references.regionIds !== null && !references.regionIds.has(region)) r.report(keyAt, `unknown region ${quote(region)}`);
    const fields = r.fields(value, ROUTING_KEYS, 'a map with a primary and optionally a secondary list of datacenter ids');
    if (fields === null) continue;
    const firstListing = new Map<string, string>();
    const readTier = (tierAt: Located | null): string[] =>
      (r.list(tierAt, 'a list of datacenter ids') ?? []).flatMap((item) => {
        const id = r.text(item);
        if (id === null) return [];
        if (references.datacenterIds !== null && !references.datacenterIds.has(id)) r.report(item, `unknown datacenter ${quote(id)}`);
        const first = firstListing.get(id);
        if (first === undefined) firstListing.set(id, item.path);
        else r.report(item, `datacenter ${quote(id)} is listed twice for client region ${quote(region)} (first at ${first})`);
        return [id];
      });
    const primaryAt = fields.required('primary');
    if (isSeq(primaryAt?.node) && primaryAt.node.items.length === 0) r.report(primaryAt, 'must list at least one datacenter');
    routing.push([region, { primary: readTier(primaryAt), secondary: readTier(fields.optional('secondary')) }]);
  }
  return Object.fromEntries(routing);
}

function readFences(r: PolicyReader, at: Located | null, references: References): Fence[] {
  const seen = new Map<string, string>();
  return (r.list(at, 'a list of fences') ?? []).flatMap((item) => {
    const fields = r.fields(item, FENCE_KEYS, 'a fence: a map with id, datacenter_regions and client_regions');
    if (fields === null) return [];
    const id = r.uniqueId(fields.required('id'), seen, 'fence');
    const datacenterRegions = r.regionList(fields.required('datacenter_regions'), references.regionIds, true);
    const clientRegions = r.regionList(fields.required('client_regions'), references.regionIds, true);
    const unplacedClients = r.choice(fields.optional('unplaced_clients'), UNPLACED_CLIENT_MODES) ?? 'violation';
    return id === null ? [] : [{ id, datacenterRegions, clientRegions, unplacedClients }];
  });
}

function readAccounts(r: PolicyReader, at: Located | null, references: References): AccountSelection[] {
  const seen = new Map<string, string>();
  return (r.list(at, 'a list of accounts') ?? []).flatMap((item) => {
    const fields = r.fields(item, ACCOUNT_KEYS, 'an account: a map with id, home_region and optionally allowed_regions');
    if (fields === null) return [];
    const id = r.uniqueId(fields.required('id'), seen, 'account');
    const homeRegion = r.regionRef(fields.required('home_region'), references.regionIds);
    const allowedRegions = r.regionList(fields.optional('allowed_regions'), references.regionIds, false);
    return id === null || homeRegion === null ? [] : [{ id, homeRegion, allowedRegions }];
  });
}

function readFallback(r: PolicyReader, at: Located | null): FallbackSettings {
  const fields = r.fields(at, FALLBACK_KEYS, 'a map of fallback settings');
  if (fields === null) return { ...DEFAULT_FALLBACK };
  return {
    primaryTimeoutMs: r.positiveInteger(fields.optional('primary_timeout_ms')) ?? DEFAULT_FALLBACK.primaryTimeoutMs,
    maxRate: r.share(fields.optional('max_rate')) ?? DEFAULT_FALLBACK.maxRate,
    windowMs: readWindow(r, fields.optional('window')) ?? DEFAULT_FALLBACK.windowMs,
    minSessions: r.positiveInteger(fields.optional('min_sessions')) ?? DEFAULT_FALLBACK.minSessions,
  };
}

function readWindow(r: PolicyReader, at: Located | null): number | null {
  const ms = r.duration(at);
  if (ms === null || at === null || DAY_MS % ms === 0) return ms;
  r.report(at, `${quote(String(scalarValue(at)))} does not divide a day evenly, so windows would not align to UTC midnight (e.g. 15m, 1h, 6h, 1d)`);
  return null;
}

function readSuppressions(r: PolicyReader, at: Located | null, references: References, registry: Registry): Suppression[] {
  const suppressible = registry.suppressible().map((d) => d.id);
  return (r.list(at, 'a list of suppressions') ?? []).flatMap((item, index) => {
    const fields = r.fields(item, SUPPRESSION_KEYS, 'a suppression: a map with rule, until, reason and at least one of account, datacenter, client_region');
    if (fields === null) return [];
    const ruleAt = fields.required('rule');
    const rule = r.text(ruleAt);
    const detection = rule === null ? undefined : registry.find(rule);
    if (rule !== null && ruleAt !== null) {
      if (detection?.kind === 'policy') {
        r.report(ruleAt, `${quote(rule)} findings are about the policy itself and cannot be suppressed: fix the policy (expected one of: ${suppressible.join(', ')})`);
      } else if (detection === undefined || detection.suppressBy.length === 0) {
        r.report(ruleAt, `unknown rule ${quote(rule)} (expected one of: ${suppressible.join(', ')})${didYouMean(rule, suppressible)}`);
      }
    }
    const given = SUPPRESSION_MATCHERS.filter((key) => fields.optional(key) !== null);
    if (given.length === 0) {
      r.report(item, `needs at least one of ${SUPPRESSION_MATCHERS.join(', ')}: a suppression must not silence a rule everywhere`);
    }
    if (detection !== undefined && detection.suppressBy.length > 0) {
      for (const key of given.filter((k) => !detection.suppressBy.includes(k))) {
        r.report(fields.optional(key)!, `${quote(detection.id)} findings cannot be narrowed by ${key}, so this suppression would never match (${detection.id} may be suppressed by ${detection.suppressBy.join(', ')})`);
      }
    }
    // The datacenter need not be in the catalog: a suppression may be about an unknown datacenter.
    const account = r.text(fields.optional('account'));
    const datacenter = r.text(fields.optional('datacenter'));
    const clientRegion = r.regionRef(fields.optional('client_region'), references.regionIds, SESSION_ONLY_REGIONS);
    const until = r.instant(fields.required('until'));
    const reason = r.text(fields.required('reason'));
    return rule === null || until === null || reason === null ? [] : [{ index, rule, account, datacenter, clientRegion, until, reason }];
  });
}

/**
 * Maps each alias to the node it stands for (the latest anchor of its name
 * before it, as YAML resolves them), and checks before the walk follows them
 * that every alias resolves and that together they do not blow the document up.
 */
function resolveAliases(doc: Document, lineAt: (offset: number) => number): { targets: Map<Alias, Node>; problems: PolicyProblem[] } {
  const targets = new Map<Alias, Node>();
  const problems: PolicyProblem[] = [];
  const latestAnchor = new Map<string, Node>();
  let writtenNodes = 0;
  visit(doc, {
    Node: (_key, node) => {
      writtenNodes += 1;
      if (!isAlias(node)) {
        if (node.anchor) latestAnchor.set(node.anchor, node);
        return;
      }
      const target = latestAnchor.get(node.source);
      if (target !== undefined) targets.set(node, target);
      else problems.push(problem('', `alias *${node.source} refers to no anchor before it`, node.range ? lineAt(node.range[0]) : undefined));
    },
  });
  if (targets.size > 0 && problems.length === 0 && expandedSize(doc.contents, targets, new Map()) - writtenNodes > ALIAS_EXPANSION_LIMIT) {
    problems.push(problem('', `aliases expand the policy by more than ${ALIAS_EXPANSION_LIMIT} values (or into itself); write it out without them`, undefined));
  }
  return { targets, problems };
}

/** Nodes in `node` with every alias replaced by what it stands for; Infinity when a node contains itself. */
function expandedSize(node: unknown, targets: ReadonlyMap<Alias, Node>, sizes: Map<Node, number>): number {
  const resolved = isAlias(node) ? targets.get(node) : node;
  if (!isNode(resolved)) return 0;
  const known = sizes.get(resolved);
  if (known !== undefined) return known;
  sizes.set(resolved, Infinity); // what reaches this node again while it is being measured lies inside it
  let size = 1;
  if (isMap(resolved)) for (const pair of resolved.items) size += expandedSize(pair.key, targets, sizes) + expandedSize(pair.value, targets, sizes);
  else if (isSeq(resolved)) for (const item of resolved.items) size += expandedSize(item, targets, sizes);
  sizes.set(resolved, size);
  return size;
}

/** The scalar's value, null for an absent or empty value, and the node itself for a map or list (so that it is no scalar type). */
function scalarValue(at: Located): unknown {
  return isScalar(at.node) ? at.node.value : at.node;
}

function describe(node: Node | null): string {
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  const value = isScalar(node) ? node.value : null;
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (value instanceof Date) return 'a timestamp';
  return 'a value of another kind';
}

/** For a number or boolean where text was expected, how to write it as text: `007` is the number 7 to YAML. */
function quoteHint(node: Node | null): string {
  if (!isScalar(node) || (typeof node.value !== 'number' && typeof node.value !== 'boolean')) return '';
  return ` (write ${JSON.stringify(node.source ?? String(node.value))} if it is text)`;
}

/** A value from the file, quoted for a one-line message: escapes control characters, shortens what is very long. */
function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function childPath(parent: string, key: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(key)) return `${parent}[${quote(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

function didYouMean(word: string, candidates: readonly string[]): string {
  const suggestion = closest(word, candidates);
  return suggestion === null ? '' : `; did you mean ${suggestion}?`;
}

/** The candidate nearest to `word`, when near enough to be a likely typo of it. */
function closest(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    // Edit distance is at least the difference in length; skipping early keeps a megabyte-long key cheap.
    if (Math.abs(candidate.length - lower.length) >= bestDistance) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  // Rows of the distance table, each of b.length + 1 entries: every index read below is in range.
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)? *([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** `2030-01-01` (midnight UTC) or `2030-01-01T12:00[:00[.000]][Z|±hh[:mm]]` (UTC without an offset) as ISO-8601 UTC; null when no such instant exists. */
function parseInstant(text: string): string | null {
  const match = INSTANT.exec(text);
  if (!match) return null;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', offset = 'Z'] = match;
  const offsetMatch = /^([+-]\d{2}):?(\d{2})?$/.exec(offset);
  const offsetHours = offsetMatch ? Number(offsetMatch[1]!.slice(1)) : 0;
  const offsetMinutes = offsetMatch ? Number(offsetMatch[2] ?? '0') : 0;
  const valid =
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth(Number(year), Number(month)) &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  if (!valid) return null;
  const zone = offsetMatch ? `${offsetMatch[1]!}:${offsetMatch[2] ?? '00'}` : 'Z';
  // Date.parse reads this exact form as specified (a full date-time with a zone), unlike date-only or zone-less text.
  return new Date(Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${fraction.padEnd(3, '0').slice(0, 3)}${zone}`)).toISOString();
}

/** Days in a month 1..12; 0 for any other month, which no day fits. */
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
