/**
 * vpc-flow on AWS's documented example records (test/fixtures/sources/README.md): the default
 * version-2 format with and without its header line, custom formats named by their header line,
 * and the records that hold no attempt (NODATA, SKIPDATA, ingress).
 */
import { describe, expect, it } from 'vitest';
import { memoryDb, tempDir } from '../../helpers.js';
import { attempt, copyFixture, countsOf, expectCountsAddUp, fixtureText, ingestSources, resultFor, storedAttempts, storedRejects, writeText } from './support.js';

/** A flow record's attempt: the session names the interface and 5-tuple and the interval's start. */
const flow = (line: number, ts: string, session: string, dc: string, client: string, outcome: string) =>
  attempt({ ts, session_id: session, dc_id: dc, dc_ip: dc, outcome, client_ip: client, line_no: line });

const NODATA = 'log-status NODATA: no network traffic on the interface in this interval (the record holds no flow)';
const SKIPDATA = 'log-status SKIPDATA: AWS skipped flow records in this interval (capacity or internal error), so the audit cannot see them';
const INGRESS = 'flow-direction ingress: the response direction of a flow (only egress records are attempts)';

/** The default-format example records, from their first line `first`: SSH accept, RDP reject, NODATA, SKIPDATA, ping pair, IPv6 SSH. */
function defaultFormatRows(first: number) {
  const eni = 'eni-1235b8ca123456789';
  return {
    attempts: [
      flow(first, '2014-12-14T04:06:50.000000Z', `${eni}/172.31.16.139:20641>172.31.16.21:22/6/1418530010`, '172.31.16.21', '172.31.16.139', 'connected'),
      flow(first + 1, '2014-12-14T04:06:50.000000Z', `${eni}/172.31.9.69:49761>172.31.9.12:3389/6/1418530010`, '172.31.9.12', '172.31.9.69', 'refused'),
      flow(first + 4, '2015-05-29T16:30:27.000000Z', `${eni}/203.0.113.12:0>172.31.16.139:0/1/1432917027`, '172.31.16.139', '203.0.113.12', 'connected'),
      flow(first + 5, '2015-05-29T16:31:34.000000Z', `${eni}/172.31.16.139:0>203.0.113.12:0/1/1432917094`, '203.0.113.12', '172.31.16.139', 'refused'),
      flow(
        first + 6,
        '2016-10-31T11:35:08.000000Z',
        `${eni}/2001:db8:1234:a100:8d6e:3477:df66:f105:34892>2001:db8:1234:a102:3304:8879:34cf:4071:22/6/1477913708`,
        '2001:db8:1234:a102:3304:8879:34cf:4071',
        '2001:db8:1234:a100:8d6e:3477:df66:f105',
        'connected',
      ),
    ],
    rejects: [
      { line: first + 2, part: 0, reason: NODATA },
      { line: first + 3, part: 0, reason: SKIPDATA },
    ],
  };
}

describe('vpc-flow, default version-2 format', () => {
  it('with the S3 header line: the header is framing, ACCEPT connects, REJECT is refused, NODATA and SKIPDATA are rejects with their reason', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const name = '123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log';
    const summary = await ingestSources(db, [copyFixture(dir, 'vpc-flow-default-v2.log', name)], dir, { source: 'vpc-flow' });
    const result = resultFor(summary, name);
    expect(countsOf(result)).toEqual({ source: 'vpc-flow', status: 'loaded', read: 7, loaded: 5, duplicates: 0, rejected: 2 });
    expect(result.note).toBe('read as vpc-flow: 7 records; 1 header or comment line');
    const expected = defaultFormatRows(2);
    expect(await storedAttempts(db, name)).toEqual(expected.attempts);
    expect(await storedRejects(db, name)).toEqual(expected.rejects);
    // SKIPDATA says the source lost records (gap: true): the registry keeps it for the runs that read the file.
    expect(await db.all('SELECT gap_records, first_gap_line, first_gap_reason FROM ingested_files')).toEqual([{ gap_records: 1, first_gap_line: 5, first_gap_reason: SKIPDATA }]);
    await expectCountsAddUp(db);
  });

  it('without a header line (CloudWatch Logs events): the fields are the default format\'s, in its order', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    writeText(dir, 'cloudwatch.log', fixtureText('vpc-flow-default-v2.log').split('\n').slice(1).join('\n'));
    const summary = await ingestSources(db, [`${dir}/cloudwatch.log`], dir, { source: 'vpc-flow' });
    const result = resultFor(summary, 'cloudwatch.log');
    expect(countsOf(result)).toEqual({ source: 'vpc-flow', status: 'loaded', read: 7, loaded: 5, duplicates: 0, rejected: 2 });
    expect(result.note).toBe('read as vpc-flow: 7 records');
    const expected = defaultFormatRows(1);
    expect(await storedAttempts(db, 'cloudwatch.log')).toEqual(expected.attempts);
    expect(await storedRejects(db, 'cloudwatch.log')).toEqual(expected.rejects);
    await expectCountsAddUp(db);
  });

  it('a record with a field missing, or a flow with an action the map does not list, is a reject naming why', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const lines = fixtureText('vpc-flow-default-v2.log').split('\n');
    const ssh = lines[1]!;
    writeText(dir, 'flows.log', [lines[0], ssh, ssh.replace(/ OK$/, ''), ssh.replace(' ACCEPT ', ' DROP ').replace('20641', '20642'), ''].join('\n'));
    const summary = await ingestSources(db, [`${dir}/flows.log`], dir, { source: 'vpc-flow' });
    expect(countsOf(resultFor(summary, 'flows.log'))).toEqual({ source: 'vpc-flow', status: 'loaded', read: 3, loaded: 1, duplicates: 0, rejected: 2 });
    expect((await storedAttempts(db, 'flows.log')).map((a) => a.line_no)).toEqual([2]);
    expect(await storedRejects(db, 'flows.log')).toEqual([
      { line: 3, part: 0, reason: 'expected 14 fields separated by spaces as in the header, found 13' },
      // Enums are compared lower-cased, and the reason shows the value so (docs/sources.md's worked example: "blocked").
      { line: 4, part: 0, reason: 'outcome: "drop" is not one of connected, timeout, refused, error' },
    ]);
    await expectCountsAddUp(db);
  });
});

describe('vpc-flow, custom formats declared by their header line', () => {
  it('version 3 with tcp-flags, in another field order: the datacenter is pkt-dstaddr, a run of two spaces splits as one', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'vpc-flow-custom-v3-tcpflags.log', 'flows.log')], dir, { source: 'vpc-flow' });
    expect(countsOf(resultFor(summary, 'flows.log'))).toEqual({ source: 'vpc-flow', status: 'loaded', read: 4, loaded: 4, duplicates: 0, rejected: 0 });
    const eni = 'eni-1235b8ca123456789';
    expect(await storedAttempts(db, 'flows.log')).toEqual([
      flow(2, '2019-08-26T19:47:55.000000Z', `${eni}/52.213.180.42:43416>10.0.0.62:5001/6/1566848875`, '10.0.0.62', '52.213.180.42', 'connected'),
      flow(3, '2019-08-26T19:47:55.000000Z', `${eni}/10.0.0.62:5001>52.213.180.42:43416/6/1566848875`, '52.213.180.42', '10.0.0.62', 'connected'),
      flow(4, '2019-08-27T19:12:13.000000Z', `${eni}/52.213.180.42:43638>10.0.0.62:5001/6/1566933133`, '10.0.0.62', '52.213.180.42', 'connected'),
      // AWS's own example has two spaces after 43638.
      flow(5, '2019-08-27T19:12:13.000000Z', `${eni}/10.0.0.62:5001>52.213.180.42:43638/6/1566933133`, '52.213.180.42', '10.0.0.62', 'connected'),
    ]);
    await expectCountsAddUp(db);
  });

  it('version 5 with flow-direction: the ingress record is a reject, the egress record the attempt', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'vpc-flow-custom-v5-traffic-path.log', 'flows.log')], dir, { source: 'vpc-flow' });
    expect(countsOf(resultFor(summary, 'flows.log'))).toEqual({ source: 'vpc-flow', status: 'loaded', read: 2, loaded: 1, duplicates: 0, rejected: 1 });
    expect(await storedAttempts(db, 'flows.log')).toEqual([
      flow(3, '2021-03-26T03:28:12.000000Z', 'eni-1235b8ca123456789/10.0.0.71:34210>52.95.128.179:80/6/1616729292', '52.95.128.179', '10.0.0.71', 'connected'),
    ]);
    expect(await storedRejects(db, 'flows.log')).toEqual([{ line: 2, part: 0, reason: INGRESS }]);
    await expectCountsAddUp(db);
  });

  it('the transit-gateway format has no start: the file is refused, not registered, naming the fields no record gave', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'vpc-flow-custom-tgw.log', 'tgw.log')], dir, { source: 'vpc-flow' });
    const result = resultFor(summary, 'tgw.log');
    expect(countsOf(result)).toEqual({ source: 'vpc-flow', status: 'failed', read: 0, loaded: 0, duplicates: 0, rejected: 0 });
    expect(result.note).toBe(
      'no record gave required fields "ts", "session_id" by the source vpc-flow (sources/vpc-flow.yaml: fields.ts); the file was not loaded. Is it that source? Name another with --source NAME',
    );
    expect(await db.all('SELECT * FROM ingested_files')).toEqual([]);
  });

  it('the transit-gateway records with a start added: pkt-srcaddr and pkt-dstaddr, where they differ, are the client and the datacenter', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const [header, ...records] = fixtureText('vpc-flow-custom-tgw.log').trimEnd().split('\n');
    writeText(dir, 'tgw.log', [`${header} start`, ...records.map((r) => `${r} 1616729292`), ''].join('\n'));
    const summary = await ingestSources(db, [`${dir}/tgw.log`], dir, { source: 'vpc-flow' });
    expect(countsOf(resultFor(summary, 'tgw.log'))).toEqual({ source: 'vpc-flow', status: 'loaded', read: 4, loaded: 4, duplicates: 0, rejected: 0 });
    const ts = '2021-03-26T03:28:12.000000Z';
    expect(await storedAttempts(db, 'tgw.log')).toEqual([
      flow(2, ts, 'eni-33333333333333333/10.20.33.164:39812>10.40.2.236:80/6/1616729292', '10.40.2.236', '10.20.33.164', 'connected'),
      flow(3, ts, 'eni-33333333333333333/10.40.2.236:80>10.20.33.164:39812/6/1616729292', '10.20.33.164', '10.40.2.236', 'connected'),
      // srcaddr 10.40.1.175 (the transit gateway's interface), pkt-srcaddr 10.20.33.164 (the instance behind it).
      flow(4, ts, 'eni-11111111111111111/10.40.1.175:39812>10.40.2.236:80/6/1616729292', '10.40.2.236', '10.20.33.164', 'connected'),
      // dstaddr 10.40.2.31, pkt-dstaddr 10.20.33.164.
      flow(5, ts, 'eni-22222222222222222/10.40.2.236:80>10.40.2.31:39812/6/1616729292', '10.20.33.164', '10.40.2.236', 'connected'),
    ]);
    await expectCountsAddUp(db);
  });
});
