/**
 * The detections: one SQL file each in queries/detections/, opening with a
 * comment header that says everything about the rule (docs/detections.md,
 * "Writing a rule"): id, title, severity and what raises it, kind, how its
 * findings may be suppressed, how they are grouped, which policy findings
 * explain them, and the wording of its incidents as templates. The registry
 * reads the headers once and refuses a file whose header is incomplete, whose id
 * differs from its file name (so no id repeats), or whose values are unknown;
 * no other code names a rule to learn these things.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { QueryFileError } from '../errors.js';
import { QUERIES_DIR } from '../queries.js';
import { INCIDENT_TEXT_FIELDS } from './cause.js';
import { SEVERITIES, type Severity } from './model.js';
import { parseTemplate, type Template } from './template.js';
import { CAPABILITIES, type Capability } from '../ingest/schema.js';

export const DETECTION_KINDS = ['session', 'window', 'policy'] as const;
export type DetectionKind = (typeof DETECTION_KINDS)[number];

/** The keys of a suppression (docs/policy.md) that narrow it to some findings of its rule. */
export const SUPPRESSION_MATCHERS = ['account', 'datacenter', 'client_region'] as const;
export type SuppressionMatcher = (typeof SUPPRESSION_MATCHERS)[number];

/**
 * How a session rule's active findings reach the reader: grouped into incidents, or
 * summarised per pair of declared and address countries (AuditReport.countryMismatches),
 * for a rule whose findings would otherwise bury the incidents.
 */
export const GROUPINGS = ['incidents', 'country-pairs'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** Policy findings that can explain a session rule's incidents (src/detect/cause.ts matches them). */
export const CAUSE_RULES = ['whitelist', 'expired-suppression'] as const;
export type CauseRule = (typeof CAUSE_RULES)[number];

export interface IncidentWording {
  title: Template;
  whatHappened: Template;
  cause: Template;
  action: Template;
}

export interface Detection {
  id: string;
  title: string;
  severity: Severity;
  /** A higher severity for the rows whose boolean column `raised` is true, and when that is. */
  raised: { severity: Severity; when: string } | null;
  kind: DetectionKind;
  description: string;
  parameters: string[];
  /** The suppression keys that may narrow a suppression of this rule; empty: it cannot be suppressed. */
  suppressBy: SuppressionMatcher[];
  grouping: Grouping;
  causes: CauseRule[];
  /** What the rule needs the logs to show (docs/sources.md): it judges no session of a source that lacks it. */
  needs: Capability[];
  /**
   * The rule needs no attempt of a routine session (header `routine: attempts-not-needed`;
   * docs/detections.md, "Routine sessions"): the ClickHouse engine may leave those attempts in
   * the cluster. Policy rules read no attempts: true.
   */
  routineAttemptsNotNeeded: boolean;
  /** For session rules grouped into incidents; null otherwise. */
  wording: IncidentWording | null;
  /** Relative to the project root, for messages. */
  file: string;
  sql: string;
}

const DETECTIONS_DIR = 'detections/';
const REQUIRED_KEYS = ['id', 'title', 'severity', 'kind', 'description', 'parameters'] as const;
const WORDING_KEYS = { title: 'incident-title', whatHappened: 'what-happened', cause: 'incident-cause', action: 'incident-action' } as const;
const OPTIONAL_KEYS = ['raised', 'suppress', 'grouping', 'causes', 'needs', 'routine', ...Object.values(WORDING_KEYS)];
/** Bound for every detection: its own id, so that no query spells it out. */
const IMPLICIT_PARAMETERS = ['rule'];

export function parseDetection(file: string, text: string): Detection {
  const header: Record<string, string> = {};
  let lastKey: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('--')) break;
    const body = line.slice(2);
    const entry = /^ ([a-z][a-z-]*):\s?(.*)$/.exec(body);
    if (entry) {
      lastKey = entry[1]!;
      header[lastKey] = entry[2]!.trim();
    } else if (lastKey && /^\s{2,}\S/.test(body)) {
      header[lastKey] += ` ${body.trim()}`;
    }
  }
  const fail = (problem: string): never => {
    throw new QueryFileError(file, problem);
  };
  for (const key of REQUIRED_KEYS) if (!header[key]) fail(`header lacks "${key}"`);
  for (const key of Object.keys(header)) {
    if (!(REQUIRED_KEYS as readonly string[]).includes(key) && !OPTIONAL_KEYS.includes(key)) {
      fail(`header has unknown key "${key}" (expected one of: ${[...REQUIRED_KEYS, ...OPTIONAL_KEYS].join(', ')})`);
    }
  }
  const expectedId = file.slice(file.lastIndexOf('/') + 1).replace(/\.sql$/, '');
  if (header.id !== expectedId) fail(`header id "${header.id}" does not match the file name`);
  const severity = header.severity as Severity;
  if (!SEVERITIES.includes(severity)) fail(`unknown severity "${header.severity}" (expected ${SEVERITIES.join(', ')})`);
  const kind = header.kind as DetectionKind;
  if (!DETECTION_KINDS.includes(kind)) fail(`unknown kind "${header.kind}" (expected ${DETECTION_KINDS.join(', ')})`);

  const declared = header.parameters === 'none' ? [] : header.parameters!.split(/[,\s]+/).filter(Boolean).map((p) => p.replace(/^\$/, ''));
  const used = [...new Set([...text.matchAll(/\$([a-z_]+)/g)].map((m) => m[1]!))];
  const undeclared = used.filter((p) => !declared.includes(p) && !IMPLICIT_PARAMETERS.includes(p));
  if (undeclared.length > 0) fail(`uses undeclared parameter(s) ${undeclared.map((p) => `$${p}`).join(', ')}`);

  const raised = parseRaised(header.raised, severity, kind, fail);
  const suppressBy = parseSuppressBy(header.suppress, kind, fail);
  const grouping = (header.grouping ?? 'incidents') as Grouping;
  if (!GROUPINGS.includes(grouping)) fail(`unknown grouping "${header.grouping}" (expected ${GROUPINGS.join(', ')})`);
  if (header.grouping !== undefined && kind !== 'session') fail(`"grouping" is for session rules; this one is of kind ${kind}`);
  const causes = (header.causes ?? 'none') === 'none' ? [] : header.causes!.split(/[,\s]+/).filter(Boolean);
  for (const cause of causes) {
    if (!(CAUSE_RULES as readonly string[]).includes(cause)) fail(`unknown cause "${cause}" in "causes" (expected ${CAUSE_RULES.join(', ')}, or none)`);
  }

  const needs = (header.needs ?? 'none') === 'none' ? [] : header.needs!.split(/[,\s]+/).filter(Boolean);
  for (const need of needs) {
    if (!(CAPABILITIES as readonly string[]).includes(need)) fail(`unknown capability "${need}" in "needs" (expected ${CAPABILITIES.join(', ')}, or none)`);
    // Session rules are filtered for it by the audit; any other kind must leave such sessions out itself.
    if (kind !== 'session' && !text.includes(`'${need}'`)) fail(`needs "${need}", but its query never names '${need}': a ${kind} rule must leave out the sessions that lack it (see fallback-rate.sql)`);
  }

  if (header.routine !== undefined && header.routine !== 'attempts-not-needed') fail(`unknown "routine" value "${header.routine}" (expected attempts-not-needed)`);
  if (header.routine !== undefined && kind === 'policy') fail('"routine" is for session and window rules; a policy rule reads no attempts');
  const routineAttemptsNotNeeded = kind === 'policy' || header.routine === 'attempts-not-needed';

  const wordingKeys = Object.values(WORDING_KEYS).filter((key) => header[key] !== undefined);
  const grouped = kind === 'session' && grouping === 'incidents';
  let wording: IncidentWording | null = null;
  if (grouped) {
    const missing = Object.values(WORDING_KEYS).filter((key) => header[key] === undefined);
    if (missing.length > 0) fail(`header lacks ${missing.map((k) => `"${k}"`).join(', ')}: a rule whose findings form incidents words them`);
    const template = (key: string): Template => {
      try {
        return parseTemplate(header[key]!, INCIDENT_TEXT_FIELDS);
      } catch (error) {
        return fail(`header "${key}": ${(error as Error).message}`);
      }
    };
    wording = {
      title: template(WORDING_KEYS.title),
      whatHappened: template(WORDING_KEYS.whatHappened),
      cause: template(WORDING_KEYS.cause),
      action: template(WORDING_KEYS.action),
    };
  } else if (wordingKeys.length > 0) {
    fail(`${wordingKeys.map((k) => `"${k}"`).join(', ')} word incidents, and this rule forms none`);
  }

  return {
    id: header.id!,
    title: header.title!,
    severity,
    raised,
    kind,
    description: header.description!,
    parameters: declared,
    suppressBy,
    grouping,
    causes: causes as CauseRule[],
    needs: needs as Capability[],
    routineAttemptsNotNeeded,
    wording,
    file,
    sql: text,
  };
}

/** `raised: critical when <what>`: rows whose `raised` column is true get that severity. */
function parseRaised(value: string | undefined, base: Severity, kind: DetectionKind, fail: (problem: string) => never): Detection['raised'] {
  if (value === undefined) return null;
  if (kind !== 'session') fail(`"raised" is for session rules; this one is of kind ${kind}`);
  const match = /^([a-z]+) when (.+)$/.exec(value);
  if (!match) return fail(`"raised" should read "<severity> when <what raises it>", got "${value}"`);
  const severity = match[1] as Severity;
  if (!SEVERITIES.includes(severity)) fail(`unknown severity "${match[1]}" in "raised" (expected ${SEVERITIES.join(', ')})`);
  if (SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(base)) fail(`"raised" must be above the severity ${base}, got ${severity}`);
  return { severity, when: match[2]! };
}

/** `suppress: account, datacenter, client_region` (any of them), or `no`. */
function parseSuppressBy(value: string | undefined, kind: DetectionKind, fail: (problem: string) => never): SuppressionMatcher[] {
  if (value === undefined) {
    if (kind === 'policy') return [];
    return fail(`header lacks "suppress" (the suppression keys that may narrow it: ${SUPPRESSION_MATCHERS.join(', ')}; or no)`);
  }
  if (value === 'no') return [];
  if (kind === 'policy') fail('policy findings are fixed in the policy and cannot be suppressed: "suppress" must be no');
  const matchers = value.split(/[,\s]+/).filter(Boolean);
  for (const matcher of matchers) {
    if (!(SUPPRESSION_MATCHERS as readonly string[]).includes(matcher)) fail(`unknown suppression key "${matcher}" in "suppress" (expected ${SUPPRESSION_MATCHERS.join(', ')}, or no)`);
  }
  return matchers as SuppressionMatcher[];
}

/** The detections of one queries folder, sorted by id. */
export class Registry {
  constructor(readonly detections: readonly Detection[]) {}

  ofKind(kind: DetectionKind): Detection[] {
    return this.detections.filter((d) => d.kind === kind);
  }

  find(id: string): Detection | undefined {
    return this.detections.find((d) => d.id === id);
  }

  /** Rules a suppression may name. */
  suppressible(): Detection[] {
    return this.detections.filter((d) => d.suppressBy.length > 0);
  }

  grouped(grouping: Grouping): string[] {
    return this.ofKind('session').filter((d) => d.grouping === grouping).map((d) => d.id);
  }

  /** Rules that do not declare `routine: attempts-not-needed`: with them, every session's attempts are read. */
  needingRoutineAttempts(): Detection[] {
    return this.detections.filter((d) => !d.routineAttemptsNotNeeded);
  }
}

const loaded = new Map<string, Registry>();

/** The detections in `dir` (default: queries/detections/ of this install); read once per folder. */
export function loadRegistry(dir: string = QUERIES_DIR + DETECTIONS_DIR): Registry {
  const cached = loaded.get(dir);
  if (cached) return cached;
  const folder = dir.endsWith('/') ? dir : `${dir}/`;
  // Messages name this install's rules as queries/detections/<id>.sql, another folder's by its path.
  const label = folder === QUERIES_DIR + DETECTIONS_DIR ? `queries/${DETECTIONS_DIR}` : folder;
  const files = readdirSync(folder).filter((f) => f.endsWith('.sql')).sort();
  const detections = files
    .map((f) => parseDetection(`${label}${f}`, readFileSync(folder + f, 'utf8')))
    // Ids are unique: parseDetection requires each to equal its file's name.
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const registry = new Registry(detections);
  loaded.set(dir, registry);
  return registry;
}

/** Every detection of this install, sorted by id. */
export function loadDetections(): readonly Detection[] {
  return loadRegistry().detections;
}
