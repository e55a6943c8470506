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
