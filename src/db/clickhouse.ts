/**
 * The only module that talks to @clickhouse/client (docs/clickhouse.md). One
 * HTTP session per run on the first node (the one queries go to): the
 * temporary tables of a run (the policy's classes, the candidate sessions)
 * live in it and vanish with it, even after kill -9. Queries are files under
 * queries/clickhouse/, bound by src/db/clickhouse-sql.ts; data goes both ways
 * as JSONEachRow files, streamed, never as SQL text.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ClickHouseError, ClickHouseSetupError } from '../errors.js';
import { loadQuery } from '../queries.js';
import { bindClickHouse, statementsOf, type ClickHouseValue } from './clickhouse-sql.js';
import { redacted, type ClickHouseTarget } from './clickhouse-target.js';

export type { ClickHouseTarget } from './clickhouse-target.js';

/** Codes that mean the setup, not a query, is wrong (ClickHouse's ErrorCodes). */
const SETUP_CODES: Record<number, string> = {
  170: 'the cluster is not in the server\'s remote_servers (--clickhouse-cluster)',
  192: 'the server does not know this user',
  193: 'the password is wrong',
  194: 'the user needs a password',
  195: 'the user may not connect from this address',
  164: 'the user is read-only',
  241: 'the server ran out of memory (its max_memory_usage)',
};

/** `Code: N` from a message: the client cannot parse 18.16's error format, so the code is read from the text. */
export function errorCodeOf(message: string): number | null {
  const match = /Code: (\d+)/.exec(message);
  return match === null ? null : Number(match[1]);
}

export class ClickHouse {
  private constructor(
    readonly target: ClickHouseTarget,
    private readonly session: ClickHouseClient,
    private readonly nodes: ClickHouseClient[],
  ) {}

  static async connect(target: ClickHouseTarget): Promise<ClickHouse> {
    const settings = {
      // Inserts through a Distributed table land on their shards before the insert returns:
      // the registry entry, written last, then commits a file whose records are all stored.
      insert_distributed_sync: 1,
      output_format_json_quote_64bit_integers: 0,
      // A user profile must not change an answer: no shard is skipped, no limit truncates a
      // result (a limit reached is an error), and an unmatched ANY LEFT JOIN gives defaults.
      skip_unavailable_shards: 0,
      result_overflow_mode: 'throw',
      read_overflow_mode: 'throw',
      group_by_overflow_mode: 'throw',
      set_overflow_mode: 'throw',
      join_overflow_mode: 'throw',
      distinct_overflow_mode: 'throw',
      transfer_overflow_mode: 'throw',
      join_use_nulls: 0,
    } as const;
    const make = (url: string, session: boolean) =>
      createClient({
        url,
        clickhouse_settings: {
          ...settings,
          // The run's temporary tables live in its HTTP session: an hour between two requests
          // (a long local step) must not end it (the server's default is 60 s).
          ...(session ? ({ session_timeout: 3600 } as Record<string, number>) : {}),
        },
        request_timeout: 3_600_000,
        log: { level: 127 },
        ...(session ? { session_id: `routeaudit-${process.pid}-${randomBytes(6).toString('hex')}` } : {}),
      });
    const session = make(target.urls[0]!, true);
    const nodes = target.urls.map((url) => make(url, false));
    const ch = new ClickHouse(target, session, nodes);
    await ch.reachable();
    return ch;
  }

  /** The names the queries use: the database, the cluster, and each table as read and written (Distributed with a cluster, else local). */
  identifiers(): Record<string, string> {
    const names: Record<string, string> = { db: this.target.database, cluster: this.target.cluster ?? 'none' };
    for (const table of ['connections', 'rejects', 'duplicates', 'files', 'retracted']) {
      names[`${table}_local`] = `${table}_local`;
      names[table] = this.target.cluster === null ? `${table}_local` : table;
    }
    return names;
  }

  private async reachable(): Promise<void> {
    for (const [index, node] of this.nodes.entries()) {
      const url = this.target.urls[index]!;
      let answer: Awaited<ReturnType<ClickHouseClient['ping']>>;
      try {
        answer = await node.ping();
      } catch (error) {
        throw new ClickHouseSetupError(`cannot reach ClickHouse at ${redacted(url)}: ${firstLine(error)}`);
      }
      if (!answer.success) throw new ClickHouseSetupError(`cannot reach ClickHouse at ${redacted(url)}: ${firstLine(answer.error)}`);
    }
  }

  /** Runs each statement of a script under queries/clickhouse/ on the query node (in the run's session). */
  async run(file: string, values: Record<string, ClickHouseValue> = {}): Promise<void> {
    const sql = this.bind(file, values);
    for (const statement of statementsOf(sql)) await this.guard(file, () => this.session.command({ query: statement }));
  }

  /** Runs a script on every node, outside the session: the tables each node holds itself. */
  async runOnEveryNode(file: string): Promise<void> {
    const sql = this.bind(file, {});
    for (const node of this.nodes) {
      for (const statement of statementsOf(sql)) await this.guard(file, () => node.command({ query: statement }));
    }
  }

  /** The rows of a small query, as objects (JSONEachRow). */
  async rows<T>(file: string, values: Record<string, ClickHouseValue> = {}): Promise<T[]> {
    // The client adds the FORMAT clause itself.
    const query = this.bind(file, values);
    const result = await this.guard(file, () => this.session.query({ query, format: 'JSONEachRow' }));
    return this.guard(file, () => result.json<T>());
  }

  /** Streams a query's rows into a JSONEachRow file (for DuckDB's read_json). */
  async exportTo(file: string, values: Record<string, ClickHouseValue>, path: string): Promise<void> {
    const query = `${this.bind(file, values)}\nFORMAT JSONEachRow`;
    const result = await this.guard(file, () => this.session.exec({ query }));
    await this.guard(file, () => pipeline(result.stream, createWriteStream(path)));
  }

  /** Streams a JSONEachRow file (DuckDB's COPY ... (FORMAT JSON)) into a table, in the run's session (temporary tables too). */
  async importFrom(table: string, path: string, file = `an insert into ${table}`): Promise<void> {
    const query = `INSERT INTO ${table} FORMAT JSONEachRow`;
    await this.guard(file, async () => {
      const result = await this.session.exec({ query, values: createReadStream(path) });
      await pipeline(result.stream, new Writable({ write: (_chunk, _encoding, done) => done() }));
    });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.session.close(), ...this.nodes.map((n) => n.close())]);
  }

  /** A table name for importFrom: {{db}}.name for a stored table, or a temporary table's own name. */
  table(name: string, temporary = false): string {
    const ids = this.identifiers();
    const real = ids[name] ?? name;
    return temporary ? `\`${real}\`` : `\`${this.target.database}\`.\`${real}\``;
  }

  private bind(file: string, values: Record<string, ClickHouseValue>): string {
    return bindClickHouse(loadQuery(`clickhouse/${file}`), values, this.identifiers());
  }

  private async guard<T>(file: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw classify(`queries/clickhouse/${file}`, error, redacted(this.target.urls[0]!));
    }
  }
}

function classify(file: string, error: unknown, url: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCodeOf(message);
  if (code === null && typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    return new ClickHouseSetupError(`lost ClickHouse at ${url} during ${file}: ${firstLine(error)}`);
  }
  if (code !== null && code in SETUP_CODES) return new ClickHouseSetupError(`ClickHouse at ${url}: ${SETUP_CODES[code]} (Code: ${code}): ${firstLine(error)}`);
  return new ClickHouseError(file, code, firstLine(error));
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).replace(/, e\.what\(\) = DB::Exception$/, '');
}

/** Executes a function with a connected ClickHouse, closing it afterwards. */
export async function withClickHouse<T>(target: ClickHouseTarget, fn: (ch: ClickHouse) => Promise<T>): Promise<T> {
  const ch = await ClickHouse.connect(target);
  try {
    return await fn(ch);
  } finally {
    await ch.close();
  }
}
