/**
 * --clickhouse and --clickhouse-cluster as a target (docs/clickhouse.md). Kept
 * apart from src/db/clickhouse.ts so that parsing the flags loads no client.
 */
import { ClickHouseSetupError } from '../errors.js';
import { isIdentifier } from './clickhouse-sql.js';

export interface ClickHouseTarget {
  /** Every node's HTTP address; the first is the one queries go to. */
  urls: string[];
  /** The cluster of remote_servers that the Distributed tables span; null: one node, no Distributed tables. */
  cluster: string | null;
  database: string;
}

/** Parses `--clickhouse URL[,URL...]`: each an http(s) address; a path names the database (default routeaudit). */
export function parseClickHouseTarget(spec: string, cluster: string | null): ClickHouseTarget {
  const parts = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new ClickHouseSetupError('--clickhouse needs a URL, e.g. http://127.0.0.1:8123');
  const databases = new Set<string>();
  const urls = parts.map((part) => {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      throw new ClickHouseSetupError(`--clickhouse: "${part}" is not a URL; expected e.g. http://127.0.0.1:8123 or http://host:8123/mydb`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ClickHouseSetupError(`--clickhouse: "${part}" must be an http:// or https:// address (ClickHouse's HTTP port)`);
    const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, '')) || 'routeaudit';
    if (!isIdentifier(database)) throw new ClickHouseSetupError(`--clickhouse: the database "${database}" in ${part} must be letters, digits and _`);
    databases.add(database);
    url.pathname = '/';
    return url.toString().replace(/\/$/, '');
  });
  if (databases.size > 1) throw new ClickHouseSetupError(`--clickhouse: the nodes name different databases (${[...databases].join(', ')}); name one`);
  if (cluster !== null && !isIdentifier(cluster)) throw new ClickHouseSetupError(`--clickhouse-cluster: "${cluster}" must be letters, digits and _`);
  if (cluster === null && urls.length > 1) throw new ClickHouseSetupError('--clickhouse names several nodes: name their cluster too (--clickhouse-cluster NAME, from the servers\' remote_servers)');
  return { urls, cluster, database: [...databases][0]! };
}


/** A URL without its user and password: for messages, reports and the working copy's marker. */
export function redacted(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}
