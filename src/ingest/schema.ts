/** The connection log schema (docs/log-format.md): one record per connection attempt. */

export const LOG_FIELDS = [
  'ts',
  'session_id',
  'dc_id',
  'dc_ip',
  'outcome',
  'tier',
  'attempt',
  'latency_ms',
  'account_id',
  'meeting_id',
  'user_id',
  'client_ip',
  'client_country',
  'traffic',
] as const;
export type LogField = (typeof LOG_FIELDS)[number];

export const REQUIRED_FIELDS: readonly LogField[] = ['ts', 'session_id', 'dc_id', 'outcome'];

export function isLogField(name: string): name is LogField {
  return (LOG_FIELDS as readonly string[]).includes(name);
}

/**
 * What a source may be unable to show (docs/sources.md). attempt-sequence: a session's
 * records are its connection attempts in order, so fallback can be judged; a flow log or a
 * participant export shows one connection or join per session. A rule that needs one
 * (its header's `needs:`) is not run on the sessions of a source that lacks it.
 */
export const CAPABILITIES = ['attempt-sequence'] as const;
export type Capability = (typeof CAPABILITIES)[number];
