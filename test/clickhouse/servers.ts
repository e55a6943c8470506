/**
 * Starts ClickHouse servers on loopback for the ClickHouse suite: each node a
 * config from test/clickhouse/config/ filled with its own ports and a temp
 * folder, all of them shards of one cluster, `ra_test`. stop() ends exactly
 * the processes started here and removes their folders.
 *
 * The binary is Debian's clickhouse-server (18.16), which .ci/run installs.
 * In CI (CI=true) a missing binary is a failure, never a silent skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLUSTER = 'ra_test';
/** test/clickhouse/config/, found from this module up, so that the bench's build (dist/bench/test/…) finds it too. */
function configDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'test', 'clickhouse', 'config');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('test/clickhouse/config/ not found above this module');
  }
}
const CANDIDATES = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', '/usr/bin/clickhouse'];

export function clickhouseBinary(): string | null {
  return CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/** Whether the suite runs: the binary exists; in CI its absence throws instead. */
export function clickhouseAvailable(): boolean {
  const binary = clickhouseBinary();
  if (binary === null && process.env.CI === 'true') {
    throw new Error('CI=true but no clickhouse-server is installed (.ci/run installs the Debian package clickhouse-server)');
  }
  return binary !== null;
}

export interface Node {
  url: string;
  httpPort: number;
  tcpPort: number;
  dir: string;
  process: ChildProcess;
  /** The server's last 4,000 characters of output. */
  output: () => string;
}

export interface Cluster {
  nodes: Node[];
  /** --clickhouse: every node's URL, comma-separated, with the database. */
  spec(database: string): string;
  stop(): Promise<void>;
  /** Ends one node at once (kill -9) and starts it again on the same folder and ports. */
  restart(index: number): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for {{${name}}}`);
    return String(values[name]);
  });
}

async function waitForHttp(node: Node, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (node.process.exitCode !== null) throw new Error(`clickhouse-server on port ${node.httpPort} exited (${node.process.exitCode}): ${output()}`);
    try {
      const response = await fetch(`${node.url}/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`clickhouse-server on port ${node.httpPort} did not answer within 30 s: ${output()}`);
}

/**
 * The server writes to a log file, not a pipe: the tests block their event loop in spawnSync,
 * and a pipe nobody drains would fill and stall the server mid-query.
 */
function launch(binary: string, dir: string): { process: ChildProcess; output: () => string } {
  const log = join(dir, 'server.log');
  const fd = openSync(log, 'a');
  const child = spawn(binary, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return { process: child, output: () => (existsSync(log) ? readFileSync(log, 'utf8').slice(-4000) : '') };
}

export async function startCluster(count: number): Promise<Cluster> {
  const binary = clickhouseBinary();
  if (binary === null) throw new Error('clickhouse-server is not installed');
  const root = mkdtempSync(join(tmpdir(), 'routeaudit-chtest-'));
  const ports = await Promise.all(Array.from({ length: count * 3 }, freePort));
  const shards = Array.from({ length: count }, (_, i) => `      <shard><replica><host>127.0.0.1</host><port>${ports[i * 3 + 1]}</port></replica></shard>`).join('\n');
  const template = readFileSync(join(configDir(), 'node.xml'), 'utf8');
  const users = readFileSync(join(configDir(), 'users.xml'), 'utf8');
  const nodes: Node[] = [];
  const launched = Array.from({ length: count }, (_, i) => {
    const dir = join(root, `node${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const [httpPort, tcpPort, interserverPort] = [ports[i * 3]!, ports[i * 3 + 1]!, ports[i * 3 + 2]!];
    writeFileSync(join(dir, 'config.xml'), fill(template, { http_port: httpPort, tcp_port: tcpPort, interserver_port: interserverPort, dir, shards }));
    writeFileSync(join(dir, 'users.xml'), users);
    const { process, output } = launch(binary, dir);
    const node: Node = { url: `http://127.0.0.1:${httpPort}`, httpPort, tcpPort, dir, process, output };
    nodes.push(node);
    return { node, output };
  });
  const stop = async () => {
    await Promise.all(
      nodes.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.process.exitCode !== null || node.process.signalCode !== null) return resolve();
            node.process.once('exit', () => resolve());
            node.process.kill('SIGKILL');
          }),
      ),
    );
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(launched.map(({ node, output }) => waitForHttp(node, output)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    spec: (database) => nodes.map((n) => `${n.url}/${database}`).join(','),
    stop,
    async restart(index) {
      const node = nodes[index]!;
      await new Promise<void>((resolve) => {
        node.process.once('exit', () => resolve());
        node.process.kill('SIGKILL');
      });
      const { process, output } = launch(binary, node.dir);
      node.process = process;
      node.output = output;
      await waitForHttp(node, output);
    },
  };
}
