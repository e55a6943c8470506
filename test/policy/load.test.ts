import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PolicyError, UserError, type PolicyProblem } from '../../src/errors.js';
import { loadPolicy, parsePolicy } from '../../src/policy/load.js';
import { loadPolicyTables } from '../../src/policy/tables.js';
import type { Policy } from '../../src/policy/types.js';
import { memoryDb } from '../helpers.js';
import { examplePolicy } from '../detect/fixture-policy.js';

const EXAMPLE_FILE = fileURLToPath(new URL('../fixtures/policies/example.yaml', import.meta.url));
const EXAMPLE = readFileSync(EXAMPLE_FILE, 'utf8');

/** The example file as the loader must read it: the detections tests build on the same policy. */
const EXAMPLE_POLICY: Policy = examplePolicy();

const MINIMAL = 'version: 1\nregions:\n  US: [US]\ndatacenters:\n  - { id: us-sjc1, country: US }\n';

function problemsOf(text: string): PolicyProblem[] {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  throw new Error('the policy loaded, but problems were expected');
}

function suppressionUntil(until: string): string {
  return parsePolicy(`${MINIMAL}suppressions:\n  - { rule: geofence, account: a, until: ${until}, reason: r }\n`, 'policy.yaml').suppressions[0]!.until;
}

describe('parsePolicy', () => {
  it('loads the example of issue 3, as written, to exactly the expected policy', () => {
    expect(parsePolicy(EXAMPLE, 'example.yaml')).toStrictEqual(EXAMPLE_POLICY);
  });

  it('gives every optional section and setting its default', () => {
    expect(parsePolicy(MINIMAL, 'policy.yaml')).toStrictEqual({
      version: 1,
      regions: { US: ['US'] },
      datacenters: [{ id: 'us-sjc1', country: 'US', operator: null, region: 'US', names: [], networks: [] }],
      clientNetworks: [],
      routing: {},
      fences: [],
      accounts: [],
      fallback: { primaryTimeoutMs: 5500, maxRate: 0.05, windowMs: 3_600_000, minSessions: 20 },
      incidentGapMs: 1_800_000,
      quietPeriodMs: 604_800_000,
      suppressions: [],
    });
  });

  it('treats an optional key written empty as absent: no secondary list, no allowed regions, default settings', () => {
    const policy = parsePolicy(
      `${MINIMAL}routing:\n  US: { primary: [us-sjc1], secondary: }\naccounts:\n  - { id: acme, home_region: US, allowed_regions: ~ }\nfallback:\nincident_gap: null\n`,
      'policy.yaml',
    );
    expect(policy.routing).toStrictEqual({ US: { primary: ['us-sjc1'], secondary: [] } });
    expect(policy.accounts).toStrictEqual([{ id: 'acme', homeRegion: 'US', allowedRegions: [] }]);
    expect(policy.fallback.windowMs).toBe(3_600_000);
    expect(policy.incidentGapMs).toBe(1_800_000);
    expect(policy.quietPeriodMs).toBe(604_800_000);
  });

  it("reads a fence's unplaced_clients, violation by default, and refuses any other value", () => {
    const fences = (extra: string) =>
      `${MINIMAL}fences:\n  - { id: f, datacenter_regions: [US], client_regions: [US]${extra} }\n`;
    expect(parsePolicy(fences(''), 'policy.yaml').fences[0]?.unplacedClients).toBe('violation');
    expect(parsePolicy(fences(', unplaced_clients: review'), 'policy.yaml').fences[0]?.unplacedClients).toBe('review');
    expect(problemsOf(fences(', unplaced_clients: reveiw'))).toEqual([
      { path: 'fences[0].unplaced_clients', message: 'unknown value "reveiw" (expected one of: violation, review); did you mean review?', line: 7 },
    ]);
  });

  it("reads a datacenter's names and client_networks, refusing a name or block given twice", () => {
    const policy = parsePolicy(
      `${MINIMAL}  - { id: cn-pek1, country: CN, names: ["China (BJ)", "Beijing*"] }\n` +
        'client_networks:\n  - { network: 10.0.0.0/8, country: us }\n  - { network: "2001:db8::/32", country: DE }\n',
      'policy.yaml',
    );
    expect(policy.datacenters.find((d) => d.id === 'cn-pek1')?.names).toEqual(['China (BJ)', 'Beijing*']);
    expect(policy.clientNetworks.map((c) => [c.network.text, c.country])).toEqual([['10.0.0.0/8', 'US'], ['2001:db8::/32', 'DE']]);

    expect(
      problemsOf(
        `${MINIMAL}  - { id: a, country: CN, names: [Beijing, ""] }\n  - { id: b, country: CN, names: [Beijing, us-sjc1] }\n` +
          'client_networks:\n  - { network: 10.0.0.0/8, country: US }\n  - { network: 10.0.0.0/8, country: DE }\n' +
          '  - { network: 10/8 }\n  - { network: 10.1.2.3/8, country: US }\n',
      ).map((p) => `${p.path}: ${p.message}`),
    ).toEqual([
      'datacenters[1].names[1]: must not be empty',
      'datacenters[2].names[0]: the name "Beijing" is already a name of another datacenter (datacenters[1].names[0])',
      'datacenters[2].names[1]: the name "us-sjc1" is the id of a datacenter (datacenters[0].id); a name must differ from every id',
      'client_networks[1].network: the block 10.0.0.0/8 is listed twice (first at client_networks[0].network)',
      'client_networks[2].network: "10" is not an IPv4 or IPv6 address',
      'client_networks[2].country: missing (required)',
      'client_networks[3].network: host bits are set: the block of 10.1.2.3/8 starts at 10.0.0.0/8; write that',
    ]);
  });

  it("reads a datacenter's networks as key ranges, nested blocks allowed, and loads them as policy_dc_networks", async () => {
    const policy = parsePolicy(
      `${MINIMAL}  - { id: cn-pek1, country: CN, networks: [1.0.0.0/16, " 1.0.1.0/24 ", "2001:db8:10::/48"] }\n` +
        '  - { id: cn-sha1, country: CN, networks: [1.0.2.0/24] }\n',
      'policy.yaml',
    );
    const pek = policy.datacenters.find((d) => d.id === 'cn-pek1');
    expect(pek?.networks.map((n) => [n.text, n.prefixLength])).toEqual([['1.0.0.0/16', 112], ['1.0.1.0/24', 120], ['2001:db8:10::/48', 48]]);
    expect(policy.datacenters.find((d) => d.id === 'us-sjc1')?.networks).toEqual([]);
    const db = await memoryDb();
    await loadPolicyTables(db, policy);
    const rows = (await db.query('SELECT dc_id, range_start::VARCHAR AS s, range_end::VARCHAR AS e, prefix_length FROM policy_dc_networks ORDER BY dc_id, prefix_length')).rows;
    const mapped = 0xffffn << 32n;
    expect(rows).toEqual([
      { dc_id: 'cn-pek1', s: String(0x20010db80010n << 80n), e: String((0x20010db80010n << 80n) + (1n << 80n) - 1n), prefix_length: 48 },
      { dc_id: 'cn-pek1', s: String(mapped + 0x01000000n), e: String(mapped + 0x0100ffffn), prefix_length: 112 },
      { dc_id: 'cn-pek1', s: String(mapped + 0x01000100n), e: String(mapped + 0x010001ffn), prefix_length: 120 },
      { dc_id: 'cn-sha1', s: String(mapped + 0x01000200n), e: String(mapped + 0x010002ffn), prefix_length: 120 },
    ]);
  });

  it('reads quiet_period, the time without findings that resolves an incident', () => {
    expect(parsePolicy(`${MINIMAL}quiet_period: 36h\n`, 'policy.yaml').quietPeriodMs).toBe(129_600_000);
  });

  it('derives a datacenter region from its country, prefers an explicit region, and leaves an unlisted country unmapped', () => {
    const policy = parsePolicy(
      'version: 1\nregions:\n  US: [US]\n  EU: [DE]\ndatacenters:\n  - { id: a, country: us }\n  - { id: b, country: DE, region: US }\n  - { id: c, country: BR }\n',
      'policy.yaml',
    );
    expect(policy.datacenters).toStrictEqual([
      { id: 'a', country: 'US', operator: null, region: 'US', names: [], networks: [] },
      { id: 'b', country: 'DE', operator: null, region: 'US', names: [], networks: [] },
      { id: 'c', country: 'BR', operator: null, region: null, names: [], networks: [] },
    ]);
  });

  it('upper-cases country codes written in lower case', () => {
    expect(parsePolicy('version: 1\nregions:\n  EU: [de, Fr]\ndatacenters: []\n', 'policy.yaml').regions).toStrictEqual({ EU: ['DE', 'FR'] });
  });

  it('reads NO as Norway, not as false, even under a %YAML 1.1 directive', () => {
    expect(parsePolicy('%YAML 1.1\n---\nversion: 1\nregions:\n  NORDICS: [NO, SE]\ndatacenters: []\n', 'policy.yaml').regions).toStrictEqual({ NORDICS: ['NO', 'SE'] });
  });

  it.each([
    ['2030-01-01', '2030-01-01T00:00:00.000Z'],
    ['"2030-01-01"', '2030-01-01T00:00:00.000Z'],
    ['2030-01-01T12:30', '2030-01-01T12:30:00.000Z'],
    ['2030-01-01 12:30:15.5', '2030-01-01T12:30:15.500Z'],
    ['2030-01-01T12:30:15.123456Z', '2030-01-01T12:30:15.123Z'],
    ['2030-01-01T05:30:00+05:30', '2030-01-01T00:00:00.000Z'],
    ['2030-01-01T00:00:00-0800', '2030-01-01T08:00:00.000Z'],
    ['2030-01-01T00:00:00+01', '2029-12-31T23:00:00.000Z'],
    ['2032-02-29', '2032-02-29T00:00:00.000Z'],
    ['!!timestamp 2030-01-01', '2030-01-01T00:00:00.000Z'],
    ['!!timestamp 2030-01-01T10:00:00+02:00', '2030-01-01T08:00:00.000Z'],
  ])('reads until %s as the UTC instant %s, whatever the local zone', (until, expected) => {
    expect(suppressionUntil(until)).toBe(expected);
  });

  it.each(['2030-02-30', '2031-02-29', '2030-13-01', '2030-00-10', '2030-01-01T24:00', '2030-01-01T12:60', '2030-01-01T00:00:00+24:00', '2030-1-1', '01/01/2030'])(
    'rejects until %s, which names no instant',
    (until) => {
      expect(problemsOf(`${MINIMAL}suppressions:\n  - { rule: geofence, account: a, until: "${until}", reason: r }\n`)).toStrictEqual([
        { path: 'suppressions[0].until', message: `"${until}" is not a valid date (write e.g. 2030-01-01 or 2030-01-01T12:00:00Z)`, line: 7 },
      ]);
    },
  );

  it('lets a suppression name the session-only regions and a datacenter outside the catalog', () => {
    const policy = parsePolicy(
      `${MINIMAL}suppressions:\n  - { rule: unknown-datacenter, datacenter: xx-nowhere1, until: 2030-01-01, reason: r }\n  - { rule: geofence, client_region: unknown, until: 2030-01-01, reason: r }\n  - { rule: geofence, client_region: unmapped, until: 2030-01-01, reason: r }\n`,
      'policy.yaml',
    );
    expect(policy.suppressions.map((s) => [s.index, s.datacenter, s.clientRegion])).toStrictEqual([
      [0, 'xx-nowhere1', null],
      [1, null, 'unknown'],
      [2, null, 'unmapped'],
    ]);
  });

  it('accepts every window that divides a day, and durations in every unit', () => {
    const policy = parsePolicy(`${MINIMAL}fallback: { window: 90s }\nincident_gap: 1h30m\n`, 'policy.yaml');
    expect([policy.fallback.windowMs, policy.incidentGapMs]).toStrictEqual([90_000, 5_400_000]);
    expect(parsePolicy(`${MINIMAL}fallback: { window: 1d }\nincident_gap: 2w\n`, 'policy.yaml').incidentGapMs).toBe(1_209_600_000);
    expect(problemsOf(`${MINIMAL}fallback: { window: 2d }\n`)).toStrictEqual([
      { path: 'fallback.window', message: '"2d" does not divide a day evenly, so windows would not align to UTC midnight (e.g. 15m, 1h, 6h, 1d)', line: 6 },
    ]);
  });

  it('accepts max_rate at both ends of [0, 1]', () => {
    expect(parsePolicy(`${MINIMAL}fallback: { max_rate: 0 }\n`, 'policy.yaml').fallback.maxRate).toBe(0);
    expect(parsePolicy(`${MINIMAL}fallback: { max_rate: 1 }\n`, 'policy.yaml').fallback.maxRate).toBe(1);
  });

  it('keeps a region named __proto__ as an ordinary region', () => {
    const policy = parsePolicy('version: 1\nregions:\n  __proto__: [US]\ndatacenters:\n  - { id: a, country: US }\n', 'policy.yaml');
    expect(Object.keys(policy.regions)).toStrictEqual(['__proto__']);
    expect(policy.datacenters[0]?.region).toBe('__proto__');
  });

  it('follows aliases; a problem is reported on the line where the offending value is written, under the path of each use', () => {
    const policy = parsePolicy(
      'version: 1\nregions:\n  US: [US]\n  CA: [CA]\ndatacenters:\n  - { id: a, country: US }\nrouting:\n  US: { primary: &primaries [a] }\n  CA: { primary: *primaries }\n',
      'policy.yaml',
    );
    expect(policy.routing).toStrictEqual({ US: { primary: ['a'], secondary: [] }, CA: { primary: ['a'], secondary: [] } });
    expect(problemsOf('version: 1\nregions:\n  US: &bad [USA]\n  CA: *bad\n  EU: &eu DE\n  JP: *eu\ndatacenters: []\n')).toStrictEqual([
      { path: 'regions.US[0]', message: '"USA" is not an ISO-3166 alpha-2 country code (two letters, e.g. DE)', line: 3 },
      { path: 'regions.CA[0]', message: '"USA" is not an ISO-3166 alpha-2 country code (two letters, e.g. DE)', line: 3 },
      { path: 'regions.EU', message: 'expected a list of country codes, got the string "DE"', line: 5 },
      { path: 'regions.JP', message: 'expected a list of country codes, got the string "DE"', line: 6 },
    ]);
  });

  it('refuses aliases that would expand the document without bound, before reading it', () => {
    // Each level lists the previous one ten times: eight levels stand for 10^8 values in a few hundred bytes.
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const levels = names.map((name, i) => `${name}: &${name} [${Array(10).fill(i === 0 ? 'x' : `*${names[i - 1]}`).join(', ')}]`);
    expect(problemsOf(`${levels.join('\n')}\n`)).toStrictEqual([
      { path: '', message: 'aliases expand the policy by more than 10000 values (or into itself); write it out without them' },
    ]);
  });

  it('reports each problem with its path, message and the line of the offending node, sorted by line', () => {
    expect(
      problemsOf(
        [
          'version: 1',
          'regions:',
          '  US: [US]',
          '  CN: [CN]',
          'datacenters:',
          '  - id: us-sjc1',
          '    country: US',
          '  - id: cn-pek1',
          '    country: CN',
          'routing:',
          '  US:',
          '    primary: [us-sjc1]',
          '    secondary:',
          '      - cn-pek1',
          '      - us-sjc1',
          '      - cn-pek9',
          'fences:',
          '  - id: china',
          '    datacenter_regions: [CN]',
          '    client_region: [CN]',
          '',
        ].join('\n'),
      ),
    ).toStrictEqual([
      { path: 'routing.US.secondary[1]', message: 'datacenter "us-sjc1" is listed twice for client region "US" (first at routing.US.primary[0])', line: 15 },
      { path: 'routing.US.secondary[2]', message: 'unknown datacenter "cn-pek9"', line: 16 },
      { path: 'fences[0].client_regions', message: 'missing (required)', line: 18 },
      {
        path: 'fences[0].client_region',
        message: 'unknown key (expected one of: id, datacenter_regions, client_regions, unplaced_clients); did you mean client_regions?',
        line: 20,
      },
    ]);
  });

  it('suggests a known key only when the unknown one is a likely typo of it', () => {
    expect(problemsOf(`${MINIMAL}fallback: { Window: 1h, colour: 1h }\n`).map((p) => p.message)).toStrictEqual([
      'unknown key (expected one of: primary_timeout_ms, max_rate, window, min_sessions); did you mean window?',
      'unknown key (expected one of: primary_timeout_ms, max_rate, window, min_sessions)',
    ]);
  });

  it('tells how to write a number as text where text is expected', () => {
    expect(problemsOf(`${MINIMAL}accounts:\n  - { id: 007, home_region: US }\n`)).toStrictEqual([
      { path: 'accounts[0].id', message: 'expected a string, got the number 7 (write "007" if it is text)', line: 7 },
    ]);
  });

  it('escapes and shortens values from the file so that each problem stays on one line', () => {
    const [problem] = problemsOf(`${MINIMAL}routing:\n  US: { primary: ["a\\nb${'x'.repeat(100)}"] }\n`);
    expect(problem?.message).toBe(`unknown datacenter "a\\nb${'x'.repeat(77)}…"`);
  });

  it('puts every problem in one PolicyError whose message is what the CLI prints', () => {
    const text = 'version: 1\nregions:\n  US: [US]\ndatacenters: []\nfallback: { max_rate: 1.5, window: 7m }\n';
    expect(() => parsePolicy(text, 'p.yaml')).toThrow(
      new PolicyError('p.yaml', [
        { path: 'fallback.max_rate', message: '1.5 is not between 0 and 1 (it is a share: 0.05 means 5%)', line: 5 },
        { path: 'fallback.window', message: '"7m" does not divide a day evenly, so windows would not align to UTC midnight (e.g. 15m, 1h, 6h, 1d)', line: 5 },
      ]),
    );
    expect(() => parsePolicy(text, 'p.yaml')).toThrow(
      [
        'p.yaml: 2 problems in the policy',
        '  line 5: fallback.max_rate: 1.5 is not between 0 and 1 (it is a share: 0.05 means 5%)',
        '  line 5: fallback.window: "7m" does not divide a day evenly, so windows would not align to UTC midnight (e.g. 15m, 1h, 6h, 1d)',
      ].join('\n'),
    );
  });
});

describe('parsePolicy on hostile input', () => {
  const example = parse(EXAMPLE) as unknown;
  const examplePaths = pathsIn(example);
  const oddValue = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(null, '', ' ', 'US', 'us', 'unknown', 'cn-pek1', '1h', '7h', '2030-01-01', 0, -1, 1.5, 1e400, [], {}, [null], { id: null }),
  );

  it('throws nothing but PolicyError when any value of the example is replaced by an odd one', () => {
    fc.assert(
      fc.property(fc.nat({ max: examplePaths.length - 1 }), oddValue, (which, value) => {
        expectLoadsOrPolicyError(stringify(replaceAt(example, examplePaths[which]!, value)));
      }),
      { numRuns: 500 },
    );
  });

  it('throws nothing but PolicyError for arbitrary YAML-like text', () => {
    const token = fc.constantFrom('version', 'regions', 'datacenters', 'routing', 'fences', 'suppressions', ':', ': ', ' ', '  ', '\n', '- ', '[', ']', '{', '}', ',', '&a ', '*a', '!!timestamp ', '!!set ', '? ', '~', '"', "'", '#', '---', '\t', 'US', '1', '%YAML 1.1\n', '<<: ');
    fc.assert(
      fc.property(fc.oneof(fc.array(token, { maxLength: 60 }).map((parts) => parts.join('')), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        expectLoadsOrPolicyError(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('loadPolicy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'routeaudit-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the policy, the path as given and the SHA-256 of the file bytes', () => {
    expect(loadPolicy(EXAMPLE_FILE)).toStrictEqual({
      policy: EXAMPLE_POLICY,
      file: EXAMPLE_FILE,
      sha256: '681dace3afbc9bc4353bb0abf5b34e9b0fdf30e0c77e4ff312b2f115fd1da25d',
    });
  });

  it('reports a missing file as a UserError naming it, not as a policy problem', () => {
    const missing = join(dir, 'nope.yaml');
    let thrown: unknown;
    try {
      loadPolicy(missing);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserError);
    expect(thrown).not.toBeInstanceOf(PolicyError);
    expect((thrown as Error).message).toBe(`cannot read the policy file ${missing}: no such file`);
  });

  it('reports a directory as a UserError naming it', () => {
    expect(() => loadPolicy(dir)).toThrow(new UserError(`cannot read the policy file ${dir}: it is a directory`));
  });

  it('reports bytes that are not UTF-8 as a policy problem', () => {
    const file = join(dir, 'latin1.yaml');
    writeFileSync(file, Buffer.from('version: 1\nregions: { FR: [FR] }\ndatacenters: [{ id: par, country: FR, operator: "Soci\xe9t\xe9" }]\n', 'latin1'));
    expect(() => loadPolicy(file)).toThrow(new PolicyError(file, [{ path: '', message: 'the file is not UTF-8 text' }]));
  });
});

function expectLoadsOrPolicyError(text: string): void {
  try {
    parsePolicy(text, 'fuzz.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    for (const problem of (error as PolicyError).problems) {
      expect(problem.message).not.toBe('');
      expect(problem.message).not.toMatch(/\n/);
    }
  }
}

type PathStep = string | number;

/** Every path to a value inside `value`, the root included. */
function pathsIn(value: unknown, prefix: PathStep[] = []): PathStep[][] {
  const children: [PathStep, unknown][] = Array.isArray(value) ? value.map((child, index) => [index, child]) : value !== null && typeof value === 'object' ? Object.entries(value) : [];
  return [prefix, ...children.flatMap(([step, child]) => pathsIn(child, [...prefix, step]))];
}

function replaceAt(value: unknown, path: PathStep[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<PathStep, unknown>;
  let parent = copy;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<PathStep, unknown>;
  parent[path[path.length - 1]!] = replacement;
  return copy;
}
