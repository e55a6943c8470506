/**
 * zoom-participants on Zoom's documented Dashboard responses (test/fixtures/sources/README.md):
 * one page, an array of pages, one page or one participant per line; the path of datacenters
 * (full_data_center) as more attempts; guests kept; the meeting id from the file name.
 */
import { describe, expect, it } from 'vitest';
import { memoryDb, tempDir } from '../../helpers.js';
import { attempt, copyFixture, countsOf, expectCountsAddUp, fixtureText, ingestSources, resultFor, storedAttempts, storedRejects, writeText } from './support.js';

type Page = { participants: Record<string, unknown>[] } & Record<string, unknown>;
const page = (name: string) => JSON.parse(fixtureText(name)) as Page;

const MEETING = '85746065432';

/** The 2022 doc example's one participant (the host "jchill"), in meeting `meeting` (null: unknown), at `line`. */
const host2022 = (line: number, meeting: string | null, part = 0) =>
  attempt({
    ts: '2022-03-01T10:15:14.000000Z',
    session_id: `${meeting ?? 'unknown-meeting'}/20162560/2022-03-01T10:15:14Z`,
    dc_id: 'United States (SC Top)',
    outcome: 'connected',
    client_ip: '10.100.111.8',
    meeting_id: meeting,
    user_id: 'DYHrdpjrS3uaOf7dPkkg8w',
    line_no: line,
    part,
  });

/** The 2019 doc example's participant "dojo": data_center SC, and two more datacenters on its full_data_center path. */
const dojo2019 = (line: number, meeting: string | null, firstPart = 0) => {
  const base = {
    ts: '2019-09-07T13:15:02.837000Z',
    session_id: `${meeting ?? 'unknown-meeting'}/32dsfsd4g5gd/2019-09-07T13:15:02.837Z`,
    outcome: 'connected',
    client_ip: '127.0.0.1',
    meeting_id: meeting,
    user_id: 'd52f19c548b88490b5d16fcbd38',
    line_no: line,
  };
  return [
    attempt({ ...base, dc_id: 'SC', part: firstPart }),
    attempt({ ...base, dc_id: 'United States', part: firstPart + 1 }),
    attempt({ ...base, dc_id: 'United States (US03_SC CRC)', part: firstPart + 2 }),
  ];
};

/** The adapted external guest: blank id, participant_user_id, user_name and ip_address; user_id 16778240. */
const guest = (line: number, meeting: string | null, dc: string, part = 0) =>
  attempt({
    ts: '2022-03-01T10:16:02.000000Z',
    session_id: `${meeting ?? 'unknown-meeting'}/16778240/2022-03-01T10:16:02Z`,
    dc_id: dc,
    outcome: 'connected',
    meeting_id: meeting,
    line_no: line,
    part,
  });

describe('zoom-participants, saved pages', () => {
  it('one page (the 2022 doc example) in a file named for its meeting: the meeting id comes from the file name, the record keeps the line it starts on', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const name = `participants-${MEETING}.json`;
    const summary = await ingestSources(db, [copyFixture(dir, 'zoom-dashboard-participants-doc-example-2022.json', name)], dir, { source: 'zoom-participants' });
    const result = resultFor(summary, name);
    expect(countsOf(result)).toEqual({ source: 'zoom-participants', status: 'loaded', read: 1, loaded: 1, duplicates: 0, rejected: 0 });
    expect(result.note).toBe('read as zoom-participants: 1 record');
    // full_data_center "United States (SC Top);" lists only the datacenter that served it (and an empty entry): no more attempts.
    expect(await storedAttempts(db, name)).toEqual([host2022(7, MEETING)]);
    await expectCountsAddUp(db);
  });

  it('full_data_center hops become parts 1, 2 of the participant\'s line, connected; without a meeting id anywhere the session says unknown-meeting', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const name = 'zoom-dashboard-participants-doc-example-2019.json';
    const summary = await ingestSources(db, [copyFixture(dir, name)], dir, { source: 'zoom-participants' });
    const result = resultFor(summary, name);
    // One record, three attempts: read counts attempts.
    expect(countsOf(result)).toEqual({ source: 'zoom-participants', status: 'loaded', read: 3, loaded: 3, duplicates: 0, rejected: 0 });
    expect(result.note).toBe('read as zoom-participants: 1 record');
    expect(await storedAttempts(db, name)).toEqual(dojo2019(7, null));
    await expectCountsAddUp(db);
  });

  it('an external guest with blank ids, name and address is kept: the session falls back to its user_id, user_id and client_ip are absent', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const name = `participants-${MEETING}.json`;
    await ingestSources(db, [copyFixture(dir, 'zoom-dashboard-participants-external-adapted.json', name)], dir, { source: 'zoom-participants' });
    expect(await storedAttempts(db, name)).toEqual([host2022(7, MEETING), guest(26, MEETING, 'United States (SC Top)')]);
    await expectCountsAddUp(db);
  });

  it('a guest with a blank data_center and full_data_center is kept as dc_id not-reported, never dropped', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const name = `participants-${MEETING}.json`;
    const summary = await ingestSources(db, [copyFixture(dir, 'zoom-dashboard-participants-guest-blank-data-center-adapted.json', name)], dir, { source: 'zoom-participants' });
    expect(countsOf(resultFor(summary, name))).toEqual({ source: 'zoom-participants', status: 'loaded', read: 2, loaded: 2, duplicates: 0, rejected: 0 });
    expect(await storedAttempts(db, name)).toEqual([host2022(7, MEETING), guest(26, MEETING, 'not-reported')]);
    expect(await storedRejects(db, name)).toEqual([]);
    await expectCountsAddUp(db);
  });

  it('an array of pages, pretty-printed: each participant keeps the line its object starts on', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const first = fixtureText('zoom-dashboard-participants-doc-example-2022.json').trimEnd();
    const second = fixtureText('zoom-dashboard-participants-doc-example-2019.json').trimEnd();
    const name = `participants-${MEETING}.json`;
    writeText(dir, name, `[\n${first},\n${second}\n]\n`);
    const summary = await ingestSources(db, [`${dir}/${name}`], dir, { source: 'zoom-participants' });
    expect(countsOf(resultFor(summary, name))).toEqual({ source: 'zoom-participants', status: 'loaded', read: 4, loaded: 4, duplicates: 0, rejected: 0 });
    // Line 1 is "["; each page's participant object is its page's line 7.
    const secondStart = 1 + first.split('\n').length + 1;
    expect(secondStart).toBe(50);
    expect(await storedAttempts(db, name)).toEqual([host2022(8, MEETING), ...dojo2019(secondStart + 6, MEETING)]);
    await expectCountsAddUp(db);
  });

  it('one page per line (JSON Lines): the attempts of all participants on a line are numbered by part', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const name = `participants-${MEETING}.jsonl`;
    writeText(dir, name, [JSON.stringify(page('zoom-dashboard-participants-external-adapted.json')), JSON.stringify(page('zoom-dashboard-participants-doc-example-2019.json')), ''].join('\n'));
    const summary = await ingestSources(db, [`${dir}/${name}`], dir, { source: 'zoom-participants' });
    expect(countsOf(resultFor(summary, name))).toEqual({ source: 'zoom-participants', status: 'loaded', read: 5, loaded: 5, duplicates: 0, rejected: 0 });
    expect(await storedAttempts(db, name)).toEqual([host2022(1, MEETING, 0), guest(1, MEETING, 'United States (SC Top)', 1), ...dojo2019(2, MEETING)]);
    await expectCountsAddUp(db);
  });

  it('one participant per line, a guest without data_center keys and one with only a path: each kept, not-reported where nothing names the datacenter', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const [host, guestRecord] = page('zoom-dashboard-participants-external-adapted.json').participants;
    const { data_center: _dc, full_data_center: _full, ...keyless } = guestRecord!;
    const pathOnly = { ...keyless, user_id: '16778241', full_data_center: 'United States (SC Top);' };
    const name = `participants-${MEETING}.jsonl`;
    writeText(dir, name, [host, keyless, pathOnly].map((p) => JSON.stringify(p)).join('\n') + '\n');
    const summary = await ingestSources(db, [`${dir}/${name}`], dir, { source: 'zoom-participants' });
    expect(countsOf(resultFor(summary, name))).toEqual({ source: 'zoom-participants', status: 'loaded', read: 4, loaded: 4, duplicates: 0, rejected: 0 });
    const pathGuest = (dc: string, part: number) => ({ ...guest(3, MEETING, dc, part), session_id: `${MEETING}/16778241/2022-03-01T10:16:02Z` });
    expect(await storedAttempts(db, name)).toEqual([
      host2022(1, MEETING),
      guest(2, MEETING, 'not-reported'),
      pathGuest('not-reported', 0),
      pathGuest('United States (SC Top)', 1),
    ]);
    await expectCountsAddUp(db);
  });

  it('a meeting id the collector wrote into the saved page ($page.meeting_id) is used before the file name\'s', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const name = `participants-${MEETING}.json`;
    writeText(dir, name, JSON.stringify({ meeting_id: '99887766554', ...page('zoom-dashboard-participants-doc-example-2022.json') }) + '\n');
    await ingestSources(db, [`${dir}/${name}`], dir, { source: 'zoom-participants' });
    expect(await storedAttempts(db, name)).toEqual([host2022(1, '99887766554')]);
  });

  it('a participant that is not an object, or whose join_time is not a time, is a reject at its line; the others load', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const doc = page('zoom-dashboard-participants-external-adapted.json');
    const [host, guestRecord] = doc.participants;
    const name = `participants-${MEETING}.json`;
    writeText(dir, name, JSON.stringify({ ...doc, participants: [host, 'not a participant', { ...guestRecord, join_time: 'yesterday' }] }, null, 1) + '\n');
    const summary = await ingestSources(db, [`${dir}/${name}`], dir, { source: 'zoom-participants' });
    expect(countsOf(resultFor(summary, name))).toEqual({ source: 'zoom-participants', status: 'loaded', read: 3, loaded: 1, duplicates: 0, rejected: 2 });
    // JSON.stringify(..., 1): "{", 4 page keys, "participants": [ on line 6; the host object opens on line 7 and
    // spans its 17 keys and "}," (to line 25), the string is line 26, the guest opens on line 27.
    expect((await storedAttempts(db, name)).map((a) => [a.line_no, a.part, a.session_id])).toEqual([[7, 0, `${MEETING}/20162560/2022-03-01T10:15:14Z`]]);
    expect(await storedRejects(db, name)).toEqual([
      { line: 26, part: 0, reason: 'not a JSON object' },
      { line: 27, part: 0, reason: 'ts: join_time "yesterday" is not an ISO-8601 time' },
    ]);
    await expectCountsAddUp(db);
  });

  it('a truncated page fails the file, naming it and saying it is not a valid JSON document; it is not registered', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const text = fixtureText('zoom-dashboard-participants-doc-example-2022.json');
    const name = `participants-${MEETING}.json`;
    writeText(dir, name, text.slice(0, text.indexOf('"join_time"')));
    const summary = await ingestSources(db, [`${dir}/${name}`], dir, { source: 'zoom-participants' });
    const result = resultFor(summary, name);
    expect(countsOf(result)).toEqual({ source: 'zoom-participants', status: 'failed', read: 0, loaded: 0, duplicates: 0, rejected: 0 });
    expect(result.note).toMatch(/^line \d+: not a valid JSON document: /);
    expect(await db.all('SELECT * FROM ingested_files')).toEqual([]);
  });

  // docs/sources.md, "Whole-file errors": "for format: json: a document that is not valid JSON (with its line)".
  // read.ts computes the line (InputError(path, message, line)), but ingester.ts keeps only error.problem.
  it('a page with a syntax error in the middle names the line of the error', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const text = fixtureText('zoom-dashboard-participants-doc-example-2022.json').replace('"device": "Phone",', '"device": "Phone",,');
    const name = `participants-${MEETING}.json`;
    writeText(dir, name, text);
    const summary = await ingestSources(db, [`${dir}/${name}`], dir, { source: 'zoom-participants' });
    const result = resultFor(summary, name);
    expect(result.status).toBe('failed');
    // "device" is on line 13 of the document.
    expect(result.note).toMatch(/line 13\b/);
  });
});
