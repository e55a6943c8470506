/**
 * The detections: one SQL file each in queries/detections/, opening with a
 * comment header (id, title, severity, kind, description, parameters). The
 * registry reads the headers once and refuses a file whose header is
 * incomplete, whose id differs from its file name (so no id repeats), or whose
 * severity or kind is unknown.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { QUERIES_DIR } from '../queries.js';
import { SEVERITIES, type Severity } from './model.js';

export const DETECTION_KINDS = ['session', 'window', 'policy'] as const;
export type DetectionKind = (typeof DETECTION_KINDS)[number];

export interface Detection {
  id: string;
  title: string;
  severity: Severity;
  kind: DetectionKind;
  description: string;
  parameters: string[];
  /** Relative to the project root, for messages. */
  file: string;
  sql: string;
}

const DETECTIONS_DIR = 'detections/';
const REQUIRED_KEYS = ['id', 'title', 'severity', 'kind', 'description', 'parameters'] as const;

export function parseDetection(file: string, text: string): Detection {
  const header: Record<string, string> = {};
  let lastKey: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('--')) break;
    const body = line.slice(2);
    const entry = /^ ([a-z]+):\s?(.*)$/.exec(body);
    if (entry) {
      lastKey = entry[1]!;
      header[lastKey] = entry[2]!.trim();
    } else if (lastKey && /^\s{2,}\S/.test(body)) {
      header[lastKey] += ` ${body.trim()}`;
    }
  }
  const fail = (problem: string): never => {
    throw new Error(`${file}: ${problem}`);
  };
  for (const key of REQUIRED_KEYS) if (!header[key]) fail(`header lacks "${key}"`);
  const expectedId = file.slice(file.lastIndexOf('/') + 1).replace(/\.sql$/, '');
  if (header.id !== expectedId) fail(`header id "${header.id}" does not match the file name`);
  if (!(SEVERITIES as readonly string[]).includes(header.severity!)) fail(`unknown severity "${header.severity}" (expected ${SEVERITIES.join(', ')})`);
  if (!(DETECTION_KINDS as readonly string[]).includes(header.kind!)) fail(`unknown kind "${header.kind}" (expected ${DETECTION_KINDS.join(', ')})`);
  const declared = header.parameters === 'none' ? [] : header.parameters!.split(/[,\s]+/).filter(Boolean).map((p) => p.replace(/^\$/, ''));
  const used = [...new Set([...text.matchAll(/\$([a-z_]+)/g)].map((m) => m[1]!))];
  const undeclared = used.filter((p) => !declared.includes(p));
  if (undeclared.length > 0) fail(`uses undeclared parameter(s) ${undeclared.map((p) => `$${p}`).join(', ')}`);
  return {
    id: header.id!,
    title: header.title!,
    severity: header.severity as Severity,
    kind: header.kind as DetectionKind,
    description: header.description!,
    parameters: declared,
    file: `queries/${DETECTIONS_DIR}${expectedId}.sql`,
    sql: text,
  };
}

let cached: Detection[] | null = null;

/** Every detection, sorted by id. */
export function loadDetections(): Detection[] {
  if (cached) return cached;
  const files = readdirSync(QUERIES_DIR + DETECTIONS_DIR).filter((f) => f.endsWith('.sql')).sort();
  const detections = files
    .map((f) => parseDetection(`queries/${DETECTIONS_DIR}${f}`, readFileSync(QUERIES_DIR + DETECTIONS_DIR + f, 'utf8')))
    // Ids are unique: parseDetection requires each to equal its file's name.
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  cached = detections;
  return detections;
}

export function detectionsOfKind(kind: DetectionKind): Detection[] {
  return loadDetections().filter((d) => d.kind === kind);
}
