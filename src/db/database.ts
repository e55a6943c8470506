/**
 * The only module that talks to @duckdb/node-api. It owns one DuckDB instance
 * and one connection per process (two instances on one file in one process do
 * not lock each other and lose writes), pins every connection to UTC, and
 * converts DuckDB values to plain JS once, here:
 *   BIGINT/HUGEINT -> number (throws beyond 2^53 instead of losing precision)
 *   TIMESTAMP[TZ]  -> ISO-8601 string in UTC, microseconds kept when present
 *   DATE           -> 'YYYY-MM-DD';  DECIMAL -> number;  LIST -> array
 */
import { ShapeError, shapeProblems, type ColumnKind, type RowOf, type RowShape } from './shape.js';
import type {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBTypeId as DuckDBTypeIdEnum,
  DuckDBResult,
  DuckDBResultReader,
  DuckDBType,
  DuckDBValue,
  DuckDBValueConverter,
} from '@duckdb/node-api';
import { closeSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { totalmem, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { isRunning, syncDirectory } from '../durable.js';
import { DatabaseLockedError, UserError } from '../errors.js';
import { looksLikeLogFile } from '../log-names.js';
import { quoteIdentifier, quoteLiteral } from './sql.js';

// Loaded with require, not import: Node's ESM loader would scan each of the package's
// 120-odd CommonJS files for named exports, about 60 ms of every command's start-up.
const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
const {
  DuckDBTypeId,
  LIST,
  VARCHAR,
  createDuckDBValueConverter,
  listValue,
  arrayFromArrayValue,
  arrayFromListValue,
  booleanFromValue,
  bytesFromBlobValue,
  doubleFromDecimalValue,
  nullConverter,
  numberFromValue,
  objectFromStructValue,
  stringFromValue,
  unsupportedConverter,
} = duckdb;

keepLeadingByteOrderMarks();

/**
 * @duckdb/node-api decodes every VARCHAR with `new TextDecoder()`, which drops a
 * U+FEFF that begins a value as if it were a byte order mark: a session id
 * "\uFEFFx" would come back as "x", the id of another session. Its decoder is a
 * module export that it reads on each call, so one that keeps the character
 * replaces it (test/db.test.ts checks that values keep it).
 */
function keepLeadingByteOrderMarks(): void {
  const accessors = createRequire(import.meta.url)('@duckdb/node-api/lib/vectors/dataAccessors.js') as { textDecoder?: unknown };
  if (accessors.textDecoder instanceof TextDecoder) accessors.textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
}

export type SqlScalar = string | number | bigint | boolean | null;
/** A list parameter carries its element type: an empty list has none to infer. */
export interface SqlList {
  readonly kind: 'list';
  readonly items: readonly (string | null)[];
}
export type SqlParam = SqlScalar | SqlList;
export type SqlParams = Record<string, SqlParam> | SqlParam[];

export type JsValue = string | number | boolean | null | JsValue[] | { [key: string]: JsValue } | Uint8Array;
export type Row = Record<string, JsValue>;

export function varcharList(items: readonly (string | null)[]): SqlList {
  return { kind: 'list', items };
}

export interface OpenOptions {
  readOnly?: boolean;
  /** false blocks file and network access from SQL (used for ad hoc queries). */
  externalAccess?: boolean;
  memoryLimit?: string;
  threads?: number;
}

export interface ColumnInfo {
  name: string;
  type: string;
  typeId: DuckDBTypeIdEnum;
}

export interface QueryResult {
  columns: ColumnInfo[];
  rows: Row[];
}

/**
 * With ROUTEAUDIT_PROFILE=1, every statement's wall time goes to stderr as one line: the
 * milliseconds, its place in a script, and the statement's first words. The per-statement
 * profiles of docs/performance.md come from it.
 */
const PROFILE = process.env.ROUTEAUDIT_PROFILE === '1';

async function profiled<T>(sql: string, run: () => Promise<T>, part?: string): Promise<T> {
  if (!PROFILE) return run();
  const start = performance.now();
  try {
    return await run();
  } finally {
    const ms = (performance.now() - start).toFixed(1);
    const words = sql.replace(/--[^\n]*/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 100);
    process.stderr.write(`profile ${ms.padStart(9)} ms  ${part === undefined ? '' : `(${part}) `}${words}\n`);
  }
}

function columnsOf(result: DuckDBResult | DuckDBResultReader): ColumnInfo[] {
  return result.columnNames().map((name, i) => {
    const type: DuckDBType = result.columnType(i);
    return { name, type: type.toString(), typeId: type.typeId };
  });
}

export class Database {
  private constructor(
    readonly path: string,
    private instance: DuckDBInstance,
    private connection: DuckDBConnection,
  ) {}

  static async open(path: string, options: OpenOptions = {}): Promise<Database> {
    refuseUnusablePath(path, options);
    const config: Record<string, string> = {};
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    config.memory_limit = options.memoryLimit ?? defaultMemoryLimit();
    // Memory DuckDB frees (a finished join, a dropped table) goes back to the system in the
    // background rather than staying with the allocator: it lowers a long audit's peak RSS.
    config.allocator_background_threads = 'true';
    // What does not fit in memory_limit spills here: next to the database file, or for an
    // in-memory database in the system's temporary folder rather than the working directory.
    config.temp_directory = path === ':memory:' ? join(tmpdir(), `routeaudit-${process.pid}.tmp`) : `${path}.tmp`;
    if (options.threads) config.threads = String(options.threads);
    let instance: DuckDBInstance;
    try {
      if (!options.readOnly && path !== ':memory:') {
        // A creation killed after its link leaves its temporary name behind: the next writer removes it.
        removeDeadCreations(path);
        if (!pathExists(path)) await createWhole(path, config);
      }
      instance = await duckdb.DuckDBInstance.create(path, config);
    } catch (error) {
      throw translateOpenError(path, error, options);
    }
    const connection = await instance.connect();
    const db = new Database(path, instance, connection);
    await db.run(`SET TimeZone = 'UTC'`);
    if (options.externalAccess === false) await db.run('SET enable_external_access = false');
    return db;
  }

  async run(sql: string, params?: SqlParams): Promise<void> {
    await profiled(sql, () => this.connection.run(sql, ...bind(params)));
  }

  /**
   * Runs a multi-statement script (a file from queries/), binding to each
   * statement only the named parameters it uses; DuckDB's own multi-statement
   * run would bind them to the last statement alone.
   */
  async runScript(sql: string, params: Record<string, SqlParam> = {}): Promise<void> {
    const extracted = await this.connection.extractStatements(sql);
    for (let index = 0; index < extracted.count; index++) {
      const prepared = await extracted.prepare(index);
      try {
        const used: Record<string, SqlParam> = {};
        for (let p = 1; p <= prepared.parameterCount; p++) {
          const name = prepared.parameterName(p);
          if (!(name in params)) throw new Error(`no value bound for parameter $${name}`);
          used[name] = params[name]!;
        }
        if (prepared.parameterCount > 0) prepared.bind(...(bind(used) as [Record<string, DuckDBValue>, Record<string, DuckDBType | undefined>]));
        await profiled(sql, () => prepared.run(), `statement ${index + 1} of ${extracted.count}`);
      } finally {
        prepared.destroySync();
      }
    }
  }

  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const reader = await profiled(sql, () => this.connection.runAndReadAll(sql, ...bind(params)));
    return reader.convertRowObjects(plainConverter) as T[];
  }

  async one<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T> {
    const rows = await this.all<T>(sql, params);
    if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql.slice(0, 80)}`);
    return rows[0]!;
  }

  /** How many statements a text holds (0 for blanks and comments), without running them. */
  async statementCount(sql: string): Promise<number> {
    return (await this.connection.extractStatements(sql)).count;
  }

  /**
   * The rows of a query from `file` (for messages), after checking its columns against
   * `shape` (src/db/shape.ts): a ShapeError names the file and each column at fault.
   */
  async rows<C extends Record<string, ColumnKind>>(shape: RowShape<C>, file: string, sql: string, params?: SqlParams, exact = false): Promise<RowOf<C>[]> {
    const result = await this.query(sql, params);
    const problems = shapeProblems(shape, result.columns, exact);
    if (problems.length > 0) throw new ShapeError(file, shape.name, problems);
    return result.rows as RowOf<C>[];
  }

  /** rows(), for a query that must return exactly one row. */
  async oneRow<C extends Record<string, ColumnKind>>(shape: RowShape<C>, file: string, sql: string, params?: SqlParams, exact = false): Promise<RowOf<C>> {
    const rows = await this.rows(shape, file, sql, params, exact);
    if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql.slice(0, 80)}`);
    return rows[0]!;
  }

  /**
   * rows(), a page at a time as DuckDB produces them (a streaming result), for results too large
   * to hold whole; the columns are checked before the first page. Nothing else may run on this
   * database until the pages are read or the iteration is abandoned.
   */
  async *streamRows<C extends Record<string, ColumnKind>>(shape: RowShape<C>, file: string, sql: string, params?: SqlParams): AsyncGenerator<RowOf<C>[]> {
    const result = await profiled(sql, () => this.connection.stream(sql, ...bind(params)));
    const problems = shapeProblems(shape, columnsOf(result), false);
    if (problems.length > 0) throw new ShapeError(file, shape.name, problems);
    for await (const rows of result.yieldConvertedRowObjects(plainConverter)) yield rows as RowOf<C>[];
  }

  /** Rows plus column names and DuckDB types, for ad hoc queries and Arrow export. */
  async query(sql: string, params?: SqlParams): Promise<QueryResult> {
    const reader: DuckDBResultReader = await profiled(sql, () => this.connection.runAndReadAll(sql, ...bind(params)));
    return { columns: columnsOf(reader), rows: reader.convertRowObjects(plainConverter) as Row[] };
  }

  /** Runs fn inside BEGIN/COMMIT; rolls back on any error and rethrows it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const result = await fn();
      await this.run('COMMIT');
      return result;
    } catch (error) {
      try {
        await this.run('ROLLBACK');
      } catch {
        // The first error is the one worth reporting; a failed rollback after
        // it (e.g. the connection is gone) adds nothing the user can act on.
      }
      throw error;
    }
  }

  /** Appends rows to a temporary table; for the slow, exact line reader. */
  /** Writes a table as newline-delimited JSON (COPY ... (FORMAT JSON)): COPY takes no bound path, so the one quoting helper quotes it. */
  async exportJson(table: string, path: string): Promise<void> {
    await this.run(`COPY ${quoteIdentifier(table)} TO ${quoteLiteral(path)} (FORMAT JSON)`);
  }

  async appendToTemp(table: string, rows: readonly (readonly (string | number | boolean | null)[])[]): Promise<void> {
    const appender = await this.connection.createAppender(table, 'main', 'temp');
    try {
      for (const row of rows) {
        for (const value of row) {
          if (value === null) appender.appendNull();
          else if (typeof value === 'number') appender.appendBigInt(BigInt(value));
          else if (typeof value === 'boolean') appender.appendBoolean(value);
          else appender.appendVarchar(value);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Interrupts the running query (used on SIGINT). */
  interrupt(): void {
    this.connection.interrupt();
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * DuckDB's own default is 80% of the machine's memory, and it keeps whatever it
 * has read or built until it reaches it. routeaudit shares the machine (a
 * nightly job next to other work), and every step of ingest and audit spills
 * what does not fit to the temp_directory, so the default is 1 GiB (a quarter
 * of the memory on a small machine, at least 256 MiB): the peak then hardly
 * grows with the logs, at the price of some spilling on large audits
 * (docs/performance.md measures both). --memory-limit overrides it.
 */
export function defaultMemoryLimit(totalBytes = totalmem()): string {
  const MiB = 2 ** 20;
  const bytes = Math.min(1024 * MiB, Math.max(256 * MiB, totalBytes / 4));
  return `${Math.floor(bytes / MiB)}MiB`;
}

/** Opens a database, runs fn, and always closes it; the first error wins. */
export async function withDatabase<T>(path: string, options: OpenOptions, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open(path, options);
  let result: T;
  try {
    result = await fn(db);
  } catch (error) {
    try {
      db.close();
    } catch {
      // fn's error is the one to report; closing after it (say, a database DuckDB
      // invalidated on a full disk) can fail too, and would only hide it.
    }
    throw error;
  }
  db.close();
  return result;
}

/** A --db argument as a path from the given working directory (the Io's, not the process's); ':memory:' as is. */
export function resolveDatabasePath(db: string, cwd: string): string {
  return db === ':memory:' ? db : resolve(cwd, db);
}


const VARCHAR_LIST = LIST(VARCHAR);

type Bound = [values: DuckDBValue[] | Record<string, DuckDBValue> | undefined, types: Record<string, DuckDBType | undefined> | DuckDBType[] | undefined];

/** Converts params to DuckDB values; list params get an explicit LIST(VARCHAR) type. */
function bind(params: SqlParams | undefined): Bound {
  if (params === undefined) return [undefined, undefined];
  if (Array.isArray(params)) {
    return [params.map(toDuckDBValue), params.some(isList) ? params.map((p) => (isList(p) ? VARCHAR_LIST : undefined)) as DuckDBType[] : undefined];
  }
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType | undefined> = {};
  for (const [key, value] of Object.entries(params)) {
    values[key] = toDuckDBValue(value);
    if (isList(value)) types[key] = VARCHAR_LIST;
  }
  return [values, types];
}

function isList(value: SqlParam): value is SqlList {
  return value !== null && typeof value === 'object';
}

function toDuckDBValue(value: SqlParam): DuckDBValue {
  return isList(value) ? listValue([...value.items]) : value;
}

/** Mistakes in --db that DuckDB would report as an internal-looking error, or not at all. */
function refuseUnusablePath(path: string, options: OpenOptions): void {
  if (path === ':memory:') {
    if (options.readOnly) throw new UserError('--db :memory: is empty in a new process: name the database file that ingest or audit wrote (e.g. --db routeaudit.duckdb)');
    return;
  }
  let stats;
  try {
    stats = statSync(path);
  } catch {
    stats = null;
  }
  if (stats?.isDirectory()) throw new UserError(`--db "${path}" is a folder; name a database file, e.g. ${join(path, 'routeaudit.duckdb')}`);
  // A --db that names a log is a slip (DuckDB would open a .csv, say, as a throwaway in-memory view).
  if (looksLikeLogFile(path)) {
    throw new UserError(`--db "${path}" looks like a log file, not a database; name the DuckDB file to ${options.readOnly ? 'read' : 'write'}, e.g. --db routeaudit.duckdb`);
  }
}

function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * DuckDB writes a new database file's header blocks one after another: a process killed
 * between them leaves a file that no later run can open. So a new database is made under a
 * temporary name and linked into place once complete: `path` is either absent or a whole
 * database. A link, not a rename, so that a database another process created meanwhile wins.
 */
async function createWhole(path: string, config: Record<string, string>): Promise<void> {
  const temp = `${path}${CREATING}${process.pid}`;
  rmSync(temp, { force: true });
  try {
    // With the run's settings, so that one DuckDB refuses (a --memory-limit) refuses before any file is in place.
    (await duckdb.DuckDBInstance.create(temp, config)).closeSync();
  } catch (error) {
    rmSync(temp, { force: true });
    // The error names the path the user gave, not the temporary one.
    throw error instanceof Error ? new Error(error.message.replaceAll(temp, path)) : error;
  }
  const handle = openSync(temp, 'r+');
  try {
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
  try {
    linkSync(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EEXIST: another process created the database first; it is the one to open.
    // A file system without hard links gets the rename, whose race is only with such a process.
    if (code !== 'EEXIST') renameSync(temp, path);
  }
  rmSync(temp, { force: true });
  await syncDirectory(dirname(path));
}

const CREATING = '.creating-';

/** Temporary databases of creations that a kill interrupted: their process is gone. */
function removeDeadCreations(path: string): void {
  const prefix = basename(path) + CREATING;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!isRunning(pid)) rmSync(join(dirname(path), name), { force: true });
  }
}

function translateOpenError(path: string, error: unknown, options: OpenOptions = {}): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/Failed to set config/i.test(message) && options.memoryLimit !== undefined) {
    return new UserError(`DuckDB refused --memory-limit ${options.memoryLimit}: give a size the machine can have, e.g. 4GB`);
  }
  if (/Could not set lock on file/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new DatabaseLockedError(
      `database "${path}" is in use by another process${pid ? ` (PID ${pid})` : ''}; ` +
        'wait for that run to finish, or use another --db',
    );
  }
  if (/database does not exist/i.test(message)) {
    return new UserError(`database "${path}" does not exist: ingest logs first (routeaudit ingest PATH --db ${path})`);
  }
  if (/Could not read enough bytes/i.test(message)) {
    return new UserError(
      `cannot open database "${path}": the file ends before its first blocks do, so it was cut short (a copy that stopped, a full disk); restore it, or move it away and ingest again`,
    );
  }
  if (/not a valid DuckDB database file|file is not a database|Unable to open database|No such file or directory|Cannot open file/i.test(message)) {
    return new UserError(`cannot open database "${path}": ${message.split('\n')[0]}`);
  }
  return error instanceof Error ? error : new Error(message);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function safeNumber(value: bigint): number {
  if (value > MAX_SAFE || value < -MAX_SAFE) {
    throw new Error(`integer ${value} does not fit a JavaScript number exactly`);
  }
  return Number(value);
}

/** Formats epoch microseconds as ISO-8601 UTC; sub-millisecond digits only when present. */
export function isoFromMicros(micros: bigint): string {
  const millis = micros / 1000n;
  const rest = micros - millis * 1000n;
  const adjustedMillis = rest < 0n ? millis - 1n : millis;
  const subMillis = rest < 0n ? rest + 1000n : rest;
  const base = new Date(Number(adjustedMillis)).toISOString();
  return subMillis === 0n ? base : `${base.slice(0, -1)}${subMillis.toString().padStart(3, '0')}Z`;
}

const toIso = (value: DuckDBValue): string => isoFromMicros((value as { micros: bigint }).micros);
const toSafeNumber = (value: DuckDBValue): number => safeNumber(value as bigint);
const toText = (value: DuckDBValue): string => String(value);

const plainConverter: DuckDBValueConverter<JsValue> = createDuckDBValueConverter<JsValue>({
  [DuckDBTypeId.INVALID]: unsupportedConverter,
  [DuckDBTypeId.BOOLEAN]: booleanFromValue,
  [DuckDBTypeId.TINYINT]: numberFromValue,
  [DuckDBTypeId.SMALLINT]: numberFromValue,
  [DuckDBTypeId.INTEGER]: numberFromValue,
  [DuckDBTypeId.BIGINT]: toSafeNumber,
  [DuckDBTypeId.UTINYINT]: numberFromValue,
  [DuckDBTypeId.USMALLINT]: numberFromValue,
  [DuckDBTypeId.UINTEGER]: numberFromValue,
  [DuckDBTypeId.UBIGINT]: toSafeNumber,
  [DuckDBTypeId.FLOAT]: numberFromValue,
  [DuckDBTypeId.DOUBLE]: numberFromValue,
  [DuckDBTypeId.TIMESTAMP]: toIso,
  [DuckDBTypeId.DATE]: toText,
  [DuckDBTypeId.TIME]: toText,
  [DuckDBTypeId.INTERVAL]: toText,
  [DuckDBTypeId.HUGEINT]: toSafeNumber,
  [DuckDBTypeId.UHUGEINT]: toSafeNumber,
  [DuckDBTypeId.VARCHAR]: stringFromValue,
  [DuckDBTypeId.BLOB]: bytesFromBlobValue,
  [DuckDBTypeId.DECIMAL]: doubleFromDecimalValue,
  [DuckDBTypeId.TIMESTAMP_S]: toText,
  [DuckDBTypeId.TIMESTAMP_MS]: toText,
  [DuckDBTypeId.TIMESTAMP_NS]: toText,
  [DuckDBTypeId.ENUM]: stringFromValue,
  [DuckDBTypeId.LIST]: arrayFromListValue,
  [DuckDBTypeId.STRUCT]: objectFromStructValue,
  [DuckDBTypeId.MAP]: toText,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue,
  [DuckDBTypeId.UUID]: stringFromValue,
  [DuckDBTypeId.UNION]: toText,
  [DuckDBTypeId.BIT]: toText,
  [DuckDBTypeId.TIME_TZ]: toText,
  [DuckDBTypeId.TIMESTAMP_TZ]: toIso,
  [DuckDBTypeId.ANY]: unsupportedConverter,
  [DuckDBTypeId.BIGNUM]: toText,
  [DuckDBTypeId.SQLNULL]: nullConverter,
  [DuckDBTypeId.STRING_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.INTEGER_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.TIME_NS]: toText,
  [DuckDBTypeId.GEOMETRY]: toText,
  [DuckDBTypeId.VARIANT]: toText,
});
