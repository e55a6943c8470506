/**
 * Which geo database an audit uses, and how the report names it (docs/geo.md).
 *
 * The default is the range CSVs of the npm package @ip-location-db/geo-whois-asn-country,
 * installed as an ordinary dependency, so that lookups work offline and the
 * database's version is the package's. `--geo FILE` replaces it with the user's
 * own range CSVs (same numeric format); their version is a hash of their bytes,
 * so two runs with different files never claim the same database.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

export const BUNDLED_GEO_PACKAGE = '@ip-location-db/geo-whois-asn-country';
const BUNDLED_FILES = ['geo-whois-asn-country-ipv4-num.csv', 'geo-whois-asn-country-ipv6-num.csv'];
/**
 * The package declares CC0-1.0; its data derives from the regional internet
 * registries' statistics, which the NRO publishes under CC BY 4.0 (the package's
 * NRO_LICENSE), hence the attribution in every report.
 */
const BUNDLED_LICENCE = 'CC0-1.0; derived from RIR data published by the NRO under CC BY 4.0 (attribution: nro.net)';

/** What the report says about the geo database (RunMetadata.geo). */
export interface GeoDatabase {
  /** The package name, or the file path(s) as given. */
  source: string;
  /** The package version, or `sha256:` and the first 16 hex digits of the files' hash. */
  version: string;
  licence: string;
}

export interface GeoSource extends GeoDatabase {
  /** Absolute paths of the range CSVs, in load order. */
  files: string[];
  /** The same files as messages name them: as the user gave them, or the bundled file names. */
  names: string[];
}

/** The bundled database; a UserError when the package is missing from node_modules. */
export function bundledGeoSource(): GeoSource {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${BUNDLED_GEO_PACKAGE}/package.json`);
  } catch {
    throw new UserError(`the bundled geo database ${BUNDLED_GEO_PACKAGE} is not installed: run npm install, or pass --geo FILE or --no-geo`);
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const files = BUNDLED_FILES.map((name) => join(dirname(manifest), name));
  const missing = files.find((file) => !existsSync(file));
  if (missing !== undefined) throw new UserError(`the bundled geo database is incomplete: ${missing} is missing; reinstall it with npm install`);
  return { source: BUNDLED_GEO_PACKAGE, version, licence: BUNDLED_LICENCE, files, names: BUNDLED_FILES.map((name) => `${BUNDLED_GEO_PACKAGE}/${name}`) };
}

/** Range CSVs the user supplied (`--geo FILE`, repeatable), paths relative to cwd. */
export function fileGeoSource(paths: readonly string[], cwd: string): GeoSource {
  if (paths.length === 0) throw new Error('fileGeoSource needs at least one file');
  const hash = createHash('sha256');
  const files = paths.map((path) => {
    const absolute = resolve(cwd, path);
    let bytes: Buffer;
    try {
      bytes = readFileSync(absolute);
    } catch (error) {
      const reason = error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
      throw new UserError(`cannot read the geo database ${path}: ${reason}`);
    }
    hash.update(createHash('sha256').update(bytes).digest());
    return absolute;
  });
  return {
    source: paths.join(', '),
    version: `sha256:${hash.digest('hex').slice(0, 16)}`,
    licence: 'not stated (a file supplied with --geo)',
    files,
    names: [...paths],
  };
}

/** `--geo` as the CLI parsed it: the bundled database (undefined), none (false), or files. */
export function geoSourceFor(option: readonly string[] | false | undefined, cwd: string): GeoSource | null {
  if (option === false) return null;
  if (option === undefined || option.length === 0) return bundledGeoSource();
  return fileGeoSource(option, cwd);
}

/** The report's view of a source: no file paths beyond what the user typed. */
export function describeGeo(source: GeoSource | null): GeoDatabase | null {
  return source === null ? null : { source: source.source, version: source.version, licence: source.licence };
}
