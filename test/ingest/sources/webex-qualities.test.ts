/**
 * webex-qualities on the response example of Cisco's published OpenAPI and an adaptation of it
 * (test/fixtures/sources/README.md): one item per media session.
 */
import { describe, expect, it } from 'vitest';
import { memoryDb, tempDir } from '../../helpers.js';
import { attempt, copyFixture, countsOf, expectCountsAddUp, fixtureText, ingestSources, resultFor, storedAttempts, writeText } from './support.js';

const MEETING = 'e5dba9613a9d455aa49f6ffdafb6e7db_I_191395283063545470';

/** The spec example's one media session (John Andersen), at `line`. */
const specItem = (line: number) =>
  attempt({
    ts: '2020-04-10T17:00:00.000000Z',
    session_id: `${MEETING}/3324C9D0-9EA7-45A2-B249-5B62A384AFEF/2020-04-10T17:00:00.000Z`,
    dc_id: 'San Jose, USA',
    outcome: 'connected',
    client_ip: '10.24.72.54',
    meeting_id: MEETING,
    user_id: 'john.andersen@example.com',
    line_no: line,
  });

describe('webex-qualities', () => {
  it('reads the OpenAPI response example: the item keeps the line its object starts on', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'webex-meeting-qualities-spec-example.json', 'qualities.json')], dir, { source: 'webex-qualities' });
    const result = resultFor(summary, 'qualities.json');
    expect(countsOf(result)).toEqual({ source: 'webex-qualities', status: 'loaded', read: 1, loaded: 1, duplicates: 0, rejected: 0 });
    expect(result.note).toBe('read as webex-qualities: 1 record');
    expect(await storedAttempts(db, 'qualities.json')).toEqual([specItem(3)]);
    await expectCountsAddUp(db);
  });

  it('a rejoin is another media session, so another session; no email: the participantId is the user', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const summary = await ingestSources(db, [copyFixture(dir, 'webex-meeting-qualities-adapted.json', 'qualities.json')], dir, { source: 'webex-qualities' });
    expect(countsOf(resultFor(summary, 'qualities.json'))).toEqual({ source: 'webex-qualities', status: 'loaded', read: 3, loaded: 3, duplicates: 0, rejected: 0 });
    expect(await storedAttempts(db, 'qualities.json')).toEqual([
      specItem(3),
      attempt({
        ts: '2020-04-10T17:05:00.000000Z',
        session_id: `${MEETING}/9A1F7C22-3B5E-4D8A-9C41-2E7B6F0D1A55/2020-04-10T17:05:00.000Z`,
        dc_id: 'San Jose, USA',
        outcome: 'connected',
        client_ip: '203.0.113.45',
        meeting_id: MEETING,
        user_id: 'john.andersen@example.com',
        line_no: 141,
      }),
      attempt({
        ts: '2020-04-10T17:01:00.000000Z',
        session_id: `${MEETING}/5D0E2B6A-71C4-4E8F-A3D2-8B9C0F1E2D3C/2020-04-10T17:01:00.000Z`,
        dc_id: 'San Jose, USA',
        outcome: 'connected',
        client_ip: '198.51.100.20',
        meeting_id: MEETING,
        user_id: '8635cbf0ca1a4573b27348e560679b25_I_158174534545967299_61',
        line_no: 240,
      }),
    ]);
    await expectCountsAddUp(db);
  });

  it('the spec example after the adapted file (whose first item it is) is a duplicate of that stored item, with its file and line', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const adapted = copyFixture(dir, 'webex-meeting-qualities-adapted.json', 'a.json');
    const spec = copyFixture(dir, 'webex-meeting-qualities-spec-example.json', 'b.json');
    const summary = await ingestSources(db, [adapted, spec], dir, { source: 'webex-qualities' });
    expect(countsOf(resultFor(summary, 'b.json'))).toEqual({ source: 'webex-qualities', status: 'loaded', read: 1, loaded: 0, duplicates: 1, rejected: 0 });
    expect(
      await db.all(`SELECT f.path, d.line_no, d.part, o.path AS original, d.original_line_no, d.original_part
        FROM duplicates d JOIN ingested_files f USING (file_id) JOIN ingested_files o ON o.file_id = d.original_file_id`),
    ).toEqual([{ path: 'b.json', line_no: 3, part: 0, original: 'a.json', original_line_no: 3, original_part: 0 }]);
    await expectCountsAddUp(db);
  });

  it('pages saved one per line; an item without serverRegion is kept as not-reported, without publicIP its localIP is the client', async () => {
    const dir = tempDir();
    const db = await memoryDb();
    const items = (JSON.parse(fixtureText('webex-meeting-qualities-adapted.json')) as { items: Record<string, unknown>[] }).items;
    const { serverRegion: _region, publicIP: _ip, ...third } = items[2]!;
    writeText(dir, 'qualities.jsonl', [JSON.stringify({ items: [items[0], items[1]] }), JSON.stringify({ items: [third] }), ''].join('\n'));
    const summary = await ingestSources(db, [`${dir}/qualities.jsonl`], dir, { source: 'webex-qualities' });
    expect(countsOf(resultFor(summary, 'qualities.jsonl'))).toEqual({ source: 'webex-qualities', status: 'loaded', read: 3, loaded: 3, duplicates: 0, rejected: 0 });
    expect((await storedAttempts(db, 'qualities.jsonl')).map((a) => [a.line_no, a.part, a.dc_id, a.client_ip])).toEqual([
      [1, 0, 'San Jose, USA', '10.24.72.54'],
      [1, 1, 'San Jose, USA', '203.0.113.45'],
      [2, 0, 'not-reported', '10.150.3.7'],
    ]);
    await expectCountsAddUp(db);
  });
});
