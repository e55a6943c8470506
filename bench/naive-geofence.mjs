#!/usr/bin/env node
/**
 * The honest naive baseline of the benchmark (docs/performance.md): what one
 * would write in an afternoon without a database. It reads the same gzip JSON
 * Lines files with readline + JSON.parse and computes only the geofence
 * violations, by the same definition as queries/detections/geofence.sql:
 * a session (all records sharing session_id) whose client region, from the
 * first record with a client_country (by ts, then file and line), is not
 * among the client_regions of a fence whose datacenter_regions hold a
 * datacenter the session connected to. Sessions with no country, or one no
 * region lists, are outside every fence. Malformed lines and records missing a
 * required field are skipped; nothing is reported about them.
 *
 * It is reasonably written, not a straw man: streaming (constant memory per
 * line), 1 MiB decompression chunks, one Map entry per session, and a list of
 * fenced contacts only for the sessions that have one.
 *
 *   node bench/naive-geofence.mjs --policy policy.yaml FILE.jsonl.gz...
 * prints {"rows":…,"sessions":…,"violations":…} on stdout.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parse } from 'yaml';

const args = process.argv.slice(2);
const policyAt = args.indexOf('--policy');
if (policyAt < 0 || !args[policyAt + 1]) {
  process.stderr.write('usage: naive-geofence.mjs --policy POLICY.yaml FILE...\n');
  process.exit(2);
}
const policy = parse(readFileSync(args[policyAt + 1], 'utf8'));
const files = args.filter((_, i) => i !== policyAt && i !== policyAt + 1).sort();

const regionOfCountry = new Map();
for (const [region, countries] of Object.entries(policy.regions)) for (const country of countries) regionOfCountry.set(country, region);
const regionOfDatacenter = new Map(policy.datacenters.map((dc) => [dc.id, dc.region ?? regionOfCountry.get(dc.country) ?? null]));
const fences = policy.fences.map((f) => ({ dcRegions: new Set(f.datacenter_regions), clientRegions: new Set(f.client_regions) }));
const fencedRegions = new Set(fences.flatMap((f) => [...f.dcRegions]));

/** ISO-8601 (Z, an offset, or none meaning UTC) or epoch milliseconds; NaN when neither. */
function parseTs(value) {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return NaN;
  const text = value.trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const hasZone = /(Z|[+-]\d\d(:?\d\d)?)$/i.test(text) || !text.includes('T');
  return Date.parse(hasZone ? text : `${text}Z`);
}

const present = (v) => v !== undefined && v !== null && v !== '';
const sessions = new Map();
let rows = 0;

for (const [fileIndex, file] of files.entries()) {
  const input = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }));
  let lineNo = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++;
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      continue;
    }
    if (r === null || typeof r !== 'object' || Array.isArray(r)) continue;
    if (!present(r.session_id) || !present(r.dc_id) || !present(r.outcome)) continue;
    const ts = parseTs(r.ts);
    if (Number.isNaN(ts)) continue;
    rows++;
    const id = String(r.session_id);
    let s = sessions.get(id);
    if (!s) {
      s = { ts: Infinity, file: 0, line: 0, country: null, fenced: null };
      sessions.set(id, s);
    }
    if (present(r.client_country)) {
      const earlier = ts < s.ts || (ts === s.ts && (fileIndex < s.file || (fileIndex === s.file && lineNo < s.line)));
      if (earlier) {
        s.ts = ts;
        s.file = fileIndex;
        s.line = lineNo;
        s.country = String(r.client_country).trim().toUpperCase();
      }
    }
    if (String(r.outcome).trim().toLowerCase() === 'connected') {
      const dcRegion = regionOfDatacenter.get(String(r.dc_id));
      if (dcRegion && fencedRegions.has(dcRegion)) (s.fenced ??= []).push(dcRegion);
    }
  }
}

let violations = 0;
for (const s of sessions.values()) {
  if (!s.fenced || s.country === null) continue;
  const clientRegion = regionOfCountry.get(s.country);
  if (!clientRegion) continue;
  if (s.fenced.some((dcRegion) => fences.some((f) => f.dcRegions.has(dcRegion) && !f.clientRegions.has(clientRegion)))) violations++;
}
process.stdout.write(`${JSON.stringify({ rows, sessions: sessions.size, violations })}\n`);
