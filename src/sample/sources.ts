/**
 * The same April 2020 story as other teams hold it (docs/sources.md): a network
 * sensor's Zeek conn.log, where a datacenter is only an address, and a customer's
 * Zoom Dashboard participant export, where it is a display name. Both are drawn
 * from the sample's simulated attempts of the surge afternoon, so the sessions
 * routed to China appear in each. Deterministic: no clock, no randomness.
 */
import { createHash } from 'node:crypto';
import type { SampleFile } from './files.js';
import type { AttemptRecord } from './traffic.js';
import { SAMPLE_POLICY, findDatacenter, regionOfDatacenter, type PolicyDocument } from './world.js';

/** The hours both exports cover: the start of the surge (src/sample/traffic.ts SURGE). */
const FROM_MS = Date.UTC(2020, 3, 1, 14);
const UNTIL_MS = Date.UTC(2020, 3, 1, 16);
/** A server in China that no catalog lists (CNNIC's 1.2.4.0/24 in the bundled geo database): placed by its country. */
export const UNLISTED_CHINA_ADDRESS = '1.2.4.8';
/** The office range a sensor sees inside acme's network; the policy's client_networks places it in the US. */
export const OFFICE_NETWORK = { network: '10.20.0.0/16', country: 'US' };
const FIRST_ZOOM_MEETING = 85_000_000_001;
const ZOOM_MEETINGS = 6;

const COUNTRY_NAMES: Record<string, string> = {
  US: 'United States', CA: 'Canada', NL: 'Netherlands', DE: 'Germany', GB: 'United Kingdom', IN: 'India', AU: 'Australia',
  CN: 'China', BR: 'Brazil', MX: 'Mexico', JP: 'Japan', HK: 'Hong Kong',
};

/** How a Zoom export names a datacenter: "Country (CODE)", as in "Hong Kong (HK)". */
export function zoomName(dcId: string): string {
  const dc = findDatacenter(dcId);
  if (!dc) throw new Error(`no sample datacenter ${dcId}`);
  const code = dcId.split('-')[1]!.replace(/\d+$/, '').toUpperCase();
  return `${COUNTRY_NAMES[dc.country] ?? dc.country} (${code})`;
}

/** The /24 a datacenter's servers answer from, in the benchmarking block 198.18.0.0/15. */
export function datacenterNetwork(dcId: string): string {
  const index = SAMPLE_POLICY.datacenters.findIndex((dc) => dc.id === dcId);
  if (index < 0) throw new Error(`no sample datacenter ${dcId}`);
  return `198.18.${index + 1}.0/24`;
}

function datacenterAddress(dcId: string, key: string): string {
  return datacenterNetwork(dcId).replace(/0\/24$/, String(10 + (hash(key) % 200)));
}

function hash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A Zeek-looking connection uid: C and 17 base-62 characters. */
function zeekUid(key: string): string {
  const bytes = createHash('sha256').update(key).digest();
  return `C${[...bytes.subarray(0, 17)].map((b) => BASE62[b % 62]).join('')}`;
}

function inHours(record: AttemptRecord): boolean {
  return record.tsMs >= FROM_MS && record.tsMs < UNTIL_MS;
}

const CONN_STATES = { connected: 'SF', timeout: 'S0', refused: 'REJ', error: 'OTH' } as const;
const HISTORIES = { SF: 'ShADadFf', S0: 'S', REJ: 'Sr', OTH: 'Dd' } as const;

/** conn.log in Zeek's TSV layout (Zeek 7.1 columns), one connection per attempt of the surge's first hours. */
export function renderZeekConnLog(records: readonly AttemptRecord[]): SampleFile {
  const fields = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes', 'resp_bytes',
    'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents', 'ip_proto'];
  const types = ['time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count', 'string', 'bool', 'bool',
    'count', 'string', 'count', 'count', 'count', 'count', 'set[string]', 'count'];
  const chosen = records.filter((r) => inHours(r) && r.clientIp !== null);
  const rows: string[] = [];
  let unlisted = 0;
  for (const record of chosen) {
    const key = `${record.sessionId}/${record.attempt}`;
    // acme's staff sit behind its office network: the sensor sees their private addresses.
    const client = record.accountId === 'acme' ? `10.20.${hash(record.userId) % 250}.${2 + (hash(`${record.userId}/h`) % 250)}` : record.clientIp!;
    rows.push(zeekRow(record.tsMs, zeekUid(key), client, datacenterAddress(record.dcId, key), record.outcome === 'connected' ? 'SF' : CONN_STATES[record.outcome], key));
    // A few US sessions that reached China also talked to a server in China that nobody listed.
    if (record.outcome === 'connected' && record.clientCountry === 'US' && regionOfDatacenter(record.dcId) === 'CN' && unlisted < 3) {
      unlisted++;
      rows.push(zeekRow(record.tsMs + 750, zeekUid(`${key}/unlisted`), client, UNLISTED_CHINA_ADDRESS, 'SF', `${key}/unlisted`));
    }
  }
  const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', '-').replaceAll(':', '-');
  const lines = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    `#open\t${stamp(FROM_MS)}`,
    `#fields\t${fields.join('\t')}`,
    `#types\t${types.join('\t')}`,
    ...rows,
    `#close\t${stamp(UNTIL_MS)}`,
  ];
  const text = `${lines.join('\n')}\n`;
  return { path: 'sources/conn.log', content: Buffer.from(text, 'utf8'), lines: lines.length };
}

function zeekRow(tsMs: number, uid: string, client: string, server: string, state: keyof typeof HISTORIES, key: string): string {
  const h = hash(key);
  const connected = state === 'SF';
  const seconds = `${Math.floor(tsMs / 1000)}.${String((tsMs % 1000) * 1000 + (h % 1000)).padStart(6, '0')}`;
  const origBytes = connected ? 2_000 + (h % 50_000) : 0;
  const respBytes = connected ? 20_000 + (h % 500_000) : 0;
  return [
    seconds, uid, client, String(49152 + (h % 16000)), server, '8801', 'udp', '-', connected ? (30 + (h % 3000) / 10).toFixed(6) : '-',
    String(origBytes), String(respBytes), state, 'T', 'F', '0', HISTORIES[state], String(connected ? 40 + (h % 400) : 1),
    String(origBytes + 28), String(connected ? 60 + (h % 600) : 0), String(respBytes + (connected ? 28 : 0)), '-', '17',
  ].join('\t');
}

/**
 * Zoom Dashboard participant pages (GET /metrics/meetings/{meetingId}/participants), one file
 * per meeting named by its id, for the meetings of the surge's first hours that had a session
 * on a Chinese datacenter, and one that had none. A participant is a session that connected:
 * its first connected datacenter is data_center; one path goes through a second datacenter.
 */
export function renderZoomExports(records: readonly AttemptRecord[]): SampleFile[] {
  const sessions = new Map<string, AttemptRecord[]>();
  for (const record of records) {
    if (!inHours(record)) continue;
    const list = sessions.get(record.sessionId) ?? [];
    list.push(record);
    sessions.set(record.sessionId, list);
  }
  const meetings = new Map<string, AttemptRecord[]>();
  for (const attempts of sessions.values()) {
    const served = attempts.find((a) => a.outcome === 'connected');
    if (!served) continue;
    const list = meetings.get(served.meetingId) ?? [];
    list.push(served);
    meetings.set(served.meetingId, list);
  }
  const touchesChina = (served: AttemptRecord[]) => served.some((a) => regionOfDatacenter(a.dcId) === 'CN');
  const ordered = [...meetings.entries()].filter(([, served]) => served.length >= 2).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const picked = [...ordered.filter(([, s]) => touchesChina(s)).slice(0, ZOOM_MEETINGS - 1), ...ordered.filter(([, s]) => !touchesChina(s)).slice(0, 1)];
  let pathShown = false;
  return picked.map(([meetingId, served], index) => {
    const zoomMeeting = FIRST_ZOOM_MEETING + index;
    const participants = served
      .sort((a, b) => a.tsMs - b.tsMs || (a.sessionId < b.sessionId ? -1 : 1))
      .map((attempt) => {
        const h = hash(attempt.sessionId);
        const name = zoomName(attempt.dcId);
        let path = `${name};`;
        if (!pathShown && regionOfDatacenter(attempt.dcId) === 'US') {
          // Served in the US, but the meeting's data also went through a Cloud Room Connector in China.
          path = `${name};${zoomName('cn-sha1')}`;
          pathShown = true;
        }
        const join = new Date(attempt.tsMs - (attempt.tsMs % 1000)).toISOString().replace('.000Z', 'Z');
        return {
          id: attempt.userId,
          user_id: String(16_000_000 + (h % 1_000_000)),
          participant_user_id: attempt.userId,
          user_name: attempt.userId,
          ip_address: attempt.clientIp ?? '',
          location: '',
          network_type: h % 2 === 0 ? 'Wired' : 'Wifi',
          data_center: name,
          full_data_center: path,
          connection_type: 'UDP',
          join_time: join,
          leave_time: new Date(attempt.tsMs - (attempt.tsMs % 1000) + 2_400_000).toISOString().replace('.000Z', 'Z'),
          status: 'in_meeting',
          meeting: meetingId,
        };
      })
      .map(({ meeting: _meeting, ...participant }) => participant);
    // An external guest: Zoom blanks its ids, and this one reports no datacenter. Kept, never dropped.
    participants.push({
      id: '', user_id: String(17_000_000 + index), participant_user_id: '', user_name: '', ip_address: '', location: '', network_type: 'Wifi',
      data_center: '', full_data_center: '', connection_type: 'UDP', join_time: participants[0]!.join_time, leave_time: participants[0]!.leave_time, status: 'in_meeting',
    });
    const page = { next_page_token: '', page_count: 1, page_size: 300, total_records: participants.length, participants };
    const text = `${JSON.stringify(page, null, 2)}\n`;
    return { path: `sources/zoom/participants-${zoomMeeting}.json`, content: Buffer.from(text, 'utf8'), lines: text.split('\n').length - 1 };
  });
}

/** The policy with what the two exports need to place their datacenters and clients: each datacenter's Zoom name and network, and acme's office range. */
export function withSourcePlacement(policy: PolicyDocument): PolicyDocument {
  return {
    ...policy,
    datacenters: policy.datacenters.map((dc) => ({ ...dc, names: [zoomName(dc.id)], networks: [datacenterNetwork(dc.id)] })),
    client_networks: [OFFICE_NETWORK],
  };
}
