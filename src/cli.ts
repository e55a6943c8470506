#!/usr/bin/env node
/**
 * Wires commands to commander and nothing else: each action parses its flags
 * into typed options and calls src/commands/<verb>.ts. Errors are mapped to
 * exit codes in one place (runCli).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitCode, QueryFileError, UserError, UsageError, exitCodeFor, isDiskFull, isOutOfMemory } from './errors.js';
import type { RunOptions } from './commands/run-output.js';
import { processIo, type Io } from './io.js';
import { TOOL_VERSION } from './version.js';
// Commands are imported when they run: loading all of them (DuckDB, Arrow, YAML, date-fns)
// costs about half a second, which a re-ingest of unchanged files would otherwise pay.
import { parseColumnMapping } from './ingest/mapping.js';
import { sourceNames } from './ingest/sources/names.js';
import { isTimeZone } from './ingest/sources/time.js';
import { SEVERITIES } from './detect/model.js';
import { BUNDLED_GEO_PACKAGE } from './geo/source.js';
import { parseClickHouseTarget } from './db/clickhouse-target.js';
import { DUCKDB_ENGINE, type EngineChoice } from './engine.js';
import { thousands } from './numbers.js';

const EXIT_CODES_HELP = `
Exit codes:
  0  success; no unsuppressed finding at or above --fail-on, and the input complete
  1  findings at or above --fail-on (audit, nightly, policy check)
  2  usage, input or policy error, a file that failed to load, or a full disk
     (the message names the file, line or field)
  3  internal error (a bug: please report it with the message)
  4  incomplete input: a file whose every line was rejected, or no data for the
     audited window (audit, nightly; ingest for a wholly rejected file)`;

const EXAMPLES_HELP = `
Examples:
  routeaudit ingest logs/                               load new log files into routeaudit.duckdb
  routeaudit audit --policy policy.yaml --last 7d       audit the last 7 days; writes reports/<run-id>/
  routeaudit audit --logs logs/ --policy policy.yaml    one-shot audit in memory
  routeaudit nightly --logs logs/ --policy policy.yaml  for cron: ingest, audit yesterday (UTC), diff, report
  routeaudit policy check policy.yaml                   validate a routing policy

Documentation: README.md and docs/ in the routeaudit repository.`;

const DEFAULT_DB = 'routeaudit.duckdb';

function positiveInt(name: string, max = 2 ** 31 - 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number, got "${value}"`);
    if (n > max) throw new InvalidArgumentError(`${name} must be at most ${thousands(max)}, got ${value}`);
    return n;
  };
}

/** A size DuckDB accepts for memory_limit: a number and a unit, e.g. 512MB, 4GB, 2GiB. */
function timeZone(value: string): string {
  if (!isTimeZone(value)) throw new InvalidArgumentError(`"${value}" is not a time zone; expected an IANA name such as Europe/Berlin or America/New_York, or UTC`);
  return value;
}

function memorySize(value: string): string {
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?\s*([KMGT]i?B|B)$/i.test(trimmed)) {
    throw new InvalidArgumentError(`expected a number and a unit, e.g. 512MB, 4GB or 2GiB; got "${value}"`);
  }
  return trimmed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

const dbOption = () => new Option('--db <file>', 'DuckDB database file (":memory:" for a one-shot run)').default(DEFAULT_DB);
const failOnOption = () =>
  new Option('--fail-on <severity>', 'exit 1 when an unsuppressed finding is at or above this severity').choices([...SEVERITIES, 'none']).default('high');
const mapOption = () => new Option('--map <field=source>', 'read a log field from a differently named source field (repeatable)').argParser(collect).default([]);
const formatOption = () => new Option('--format <format>', 'input format').choices(['auto', 'jsonl', 'csv', 'parquet']).default('auto');
const sourceOption = () =>
  new Option('--source <name>', `what the logs are: ${sourceNames().join(', ')}, or a source definition NAME.yaml (docs/sources.md)`).default(
    undefined,
    'recognised per file by its header or first record; else routeaudit',
  );
const timezoneOption = () =>
  new Option('--timezone <zone>', 'time zone of source timestamps written without a UTC offset, e.g. America/New_York or UTC').argParser(timeZone);
const memoryOption = () =>
  new Option('--memory-limit <size>', 'DuckDB memory limit, e.g. 4GB (default 1GiB; a quarter of a smaller machine)').argParser(memorySize);
const engineOption = () =>
  new Option('--engine <engine>', 'where the attempts are stored and scanned (docs/clickhouse.md)').choices(['duckdb', 'clickhouse']).default('duckdb');
const clickhouseOption = () =>
  new Option('--clickhouse <urls>', "ClickHouse HTTP address of every node, comma-separated, the first one queried; a path names the database (default routeaudit)").env(
    'ROUTEAUDIT_CLICKHOUSE_URL',
  );
const clickhouseClusterOption = () => new Option('--clickhouse-cluster <name>', "the cluster of the servers' remote_servers that the Distributed tables span");

/** --engine with its --clickhouse flags, checked together. */
function engineChoice(opts: Record<string, unknown>, command: Command): EngineChoice {
  const cluster = (opts.clickhouseCluster as string | undefined) ?? null;
  if (opts.engine !== 'clickhouse') {
    if (command.getOptionValueSource('clickhouse') === 'cli' || cluster !== null) {
      throw new UsageError('--clickhouse and --clickhouse-cluster are for --engine clickhouse; add it, or drop them');
    }
    return DUCKDB_ENGINE;
  }
  const urls = opts.clickhouse as string | undefined;
  if (urls === undefined) throw new UsageError('--engine clickhouse needs the servers: --clickhouse http://HOST:8123 (or ROUTEAUDIT_CLICKHOUSE_URL)');
  return { kind: 'clickhouse', target: parseClickHouseTarget(urls, cluster) };
}

/** --geo after --no-geo: the value so far is false, not a list. */
function collectGeo(value: string, previous: string[] | boolean): string[] {
  if (!Array.isArray(previous)) throw new InvalidArgumentError('--geo and --no-geo contradict each other; give one of them');
  return [...previous, value];
}

/** --geo before --no-geo leaves false: refused like the other order rather than silently dropped. */
function geoFiles(opts: { geo: string[] | false }, argv: readonly string[]): string[] | false {
  if (opts.geo === false && argv.some((arg) => arg === '--geo' || arg.startsWith('--geo='))) {
    throw new UsageError('--geo and --no-geo contradict each other; give one of them');
  }
  return opts.geo;
}

const geoOption = () =>
  new Option('--geo <file>', 'geo database for client_ip: a range CSV of first,last,country (repeatable; docs/geo.md)')
    .argParser(collectGeo)
    .default([], `the bundled ${BUNDLED_GEO_PACKAGE}`);
const noGeoOption = () => new Option('--no-geo', 'look up no client_ip: sessions without a declared client_country stay region unknown');

/**
 * A command that runs the pipeline (audit, nightly): the flags they share are declared here
 * once, and read back by runOptions; each command adds its own before its action.
 */
function runCommand(program: Command, name: string, description: string, ownOptions: (command: Command) => Command): Command {
  const command = program.command(name).description(description).requiredOption('--policy <file>', 'routing policy YAML').addOption(dbOption());
  return ownOptions(command)
    .option('--now <time>', 'the clock for this run (ISO time); default: the system clock')
    .addOption(failOnOption())
    .addOption(formatOption())
    .addOption(sourceOption())
    .addOption(timezoneOption())
    .addOption(mapOption())
    .addOption(memoryOption())
    .addOption(geoOption())
    .addOption(noGeoOption())
    .addOption(engineOption())
    .addOption(clickhouseOption())
    .addOption(clickhouseClusterOption())
    .addHelpText('after', EXIT_CODES_HELP);
}

/** The shared flags of a runCommand, as the commands take them. */
function runOptions(opts: Record<string, unknown>, argv: readonly string[], command: Command): RunOptions {
  return {
    engine: engineChoice(opts, command),
    policy: opts.policy as string,
    db: opts.db as string,
    now: opts.now as string | undefined,
    failOn: opts.failOn as RunOptions['failOn'],
    format: opts.format as RunOptions['format'],
    mapping: parseColumnMapping(opts.map as string[]),
    source: opts.source as string | undefined,
    timezone: opts.timezone as string | undefined,
    memoryLimit: opts.memoryLimit as string | undefined,
    geo: geoFiles(opts as { geo: string[] | false }, argv),
  };
}

export function buildProgram(io: Io, setExit: (code: number) => void, argv: readonly string[] = []): Command {
  const program = new Command('routeaudit')
    .description('Audits connection logs against a routing policy: geo-fence violations, fallback surges, misconfigured whitelists.')
    .version(TOOL_VERSION)
    .addHelpText('after', EXAMPLES_HELP + '\n' + EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  program
    .command('ingest')
    .description('load connection logs (files, directories, globs) into the database; prints per-file counts')
    .argument('<paths...>', 'log files, directories (searched recursively) or globs')
    .addOption(dbOption())
    .addOption(formatOption())
    .addOption(sourceOption())
    .addOption(timezoneOption())
    .addOption(mapOption())
    .addOption(memoryOption())
    .addOption(engineOption())
    .addOption(clickhouseOption())
    .addOption(clickhouseClusterOption())
    .action(async (paths: string[], opts, command: Command) => {
      const { ingestCommand } = await import('./commands/ingest.js');
      setExit(
        await ingestCommand(
          {
            paths,
            db: opts.db,
            format: opts.format,
            source: opts.source,
            timezone: opts.timezone,
            mapping: parseColumnMapping(opts.map),
            memoryLimit: opts.memoryLimit,
            engine: engineChoice(opts, command),
          },
          io,
        ),
      );
    });

  program
    .command('rejects')
    .description('show rejected log lines with file, line and reason')
    .addOption(dbOption())
    .option('--limit <n>', 'how many to show', positiveInt('--limit'), 50)
    .action(async (opts) => {
      const { rejectsCommand } = await import('./commands/rejects.js');
      setExit(await rejectsCommand({ db: opts.db, limit: opts.limit }, io));
    });

  program
    .command('query')
    .description('run read-only SQL against the database (no file access, no writes)')
    .argument('<sql>', 'the query')
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv', 'arrow']).default('table'))
    .action(async (sql: string, opts) => {
      const { queryCommand } = await import('./commands/query.js');
      setExit(await queryCommand({ sql, db: opts.db, format: opts.format }, io));
    });

  program
    .command('sample')
    .description('write synthetic logs that reproduce the April 2020 routing incident (deterministic per seed)')
    .requiredOption('--out <dir>', 'folder to write the logs and policy into (new or empty, unless --force)')
    .option('--sessions <n>', 'approximate number of sessions', positiveInt('--sessions', 10_000_000), 6000)
    .option('--seed <n>', 'random seed', positiveInt('--seed'), 2020)
    .option('--force', 'write into a folder that is not empty, replacing files of the same names', false)
    .action(async (opts) => {
      const { sampleCommand } = await import('./commands/sample.js');
      setExit(await sampleCommand({ out: opts.out, sessions: opts.sessions, seed: opts.seed, force: opts.force }, io));
    });

  const policy = program.command('policy').description('routing policy tools');
  policy
    .command('check')
    .description('validate a policy file (every problem with its path and line) and report its policy-only findings')
    .argument('<file>', 'policy YAML')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a policy finding is at or above this severity').choices([...SEVERITIES, 'none']).default('high'),
    )
    .option('--now <time>', 'the clock for expired suppressions (ISO time; default: now)')
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (file: string, opts) => {
      const { policyCheckCommand } = await import('./commands/policy.js');
      setExit(await policyCheckCommand({ file, failOn: opts.failOn, now: opts.now }, io));
    });

  runCommand(program, 'audit', 'run every detection over the database (or over --logs, in memory) and write reports', (command) =>
    command
      .option('--logs <paths...>', 'ingest these logs first: into memory (a one-shot audit), or into --db when given (with --engine clickhouse: into the cluster)')
      .option('--since <time>', 'window start (inclusive): ISO date or time')
      .option('--until <time>', 'window end (exclusive): ISO date or time')
      .option('--last <duration>', 'window of this length ending now, e.g. 24h, 7d')
      .option('--out <dir>', 'folder for the run folder', 'reports')
      .option('--no-reports', 'print the summary only; write no run folder'),
  ).action(async (opts, command: Command) => {
    const { auditCommand } = await import('./commands/audit.js');
    if (opts.reports === false && command.getOptionValueSource('out') === 'cli') {
      throw new UsageError('--no-reports writes no run folder, so --out has nothing to do; give one of them');
    }
    // --logs audits in memory unless a database is named explicitly.
    const db = opts.logs && command.getOptionValueSource('db') === 'default' ? ':memory:' : opts.db;
    const out = opts.reports === false ? null : opts.out;
    setExit(await auditCommand({ ...runOptions(opts, argv, command), db, logs: opts.logs, since: opts.since, until: opts.until, last: opts.last, out }, io));
  });

  runCommand(program, 'nightly', 'ingest new logs, audit the last complete UTC day, diff against the previous run, write reports', (command) =>
    command
      .requiredOption('--logs <dir>', 'log folder')
      .option('--out <dir>', 'folder for run folders and the latest pointer', 'reports')
      .option('--window <window>', 'audit window instead of the last complete UTC day: a duration ending at the last UTC midnight (24h, 7d) or since/until as START/END'),
  ).action(async (opts, command: Command) => {
    const { nightlyCommand } = await import('./commands/nightly.js');
    setExit(await nightlyCommand({ ...runOptions(opts, argv, command), logs: opts.logs, out: opts.out, window: opts.window }, io));
  });

  return program;
}

/** Runs the CLI in-process and returns the exit code; never throws. */
export async function runCli(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    argv,
  );
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error it has already printed.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.userError;
    }
    if (error instanceof UsageError || error instanceof UserError) {
      io.stderr(`routeaudit: ${error.message}\n`);
      return exitCodeFor(error);
    }
    if (isDiskFull(error)) {
      // Not a bug: the environment's to fix (writing the database, its checkpoint or the reports).
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      io.stderr(`routeaudit: no space left on the device: ${message}; free some space and run again\n`);
      return ExitCode.userError;
    }
    if (isOutOfMemory(error)) {
      // Not a bug either: the data needs more memory than DuckDB was given.
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      io.stderr(`routeaudit: DuckDB ran out of memory within its limit (${message}); run again with a higher --memory-limit, e.g. --memory-limit 8GB (docs/performance.md)\n`);
      return ExitCode.userError;
    }
    if (error instanceof QueryFileError) {
      // A broken .sql file (a rule's header, or a result without its shape): the message names the file and what is wrong.
      io.stderr(`routeaudit: internal error in a query file, please report it:\n${error.message}\n`);
      return ExitCode.internal;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`routeaudit: internal error, please report it:\n${detail}\n`);
    return ExitCode.internal;
  }
}

function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (!invoked) return false;
  try {
    return realpathSync(invoked) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await runCli(process.argv.slice(2));
}
