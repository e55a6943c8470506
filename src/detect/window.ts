/**
 * The audit window from the user's flags. Times are ISO dates or times; a
 * date alone means UTC midnight and a time without offset is UTC, so the
 * machine's zone never changes a window.
 */
import { isValid, parseISO } from 'date-fns';
import { UsageError } from '../errors.js';
import { parseDuration } from '../policy/duration.js';
import type { AuditWindow } from './audit.js';

const DAY_MS = 86_400_000;

/** Parses an ISO date or time as UTC unless it carries an offset. */
export function parseTime(flag: string, text: string): Date {
  let iso = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso = iso.replace(' ', 'T') + 'Z';
  const date = /(Z|[+-]\d{2}(:?\d{2})?)$/.test(iso) && inRange(iso) ? parseISO(iso.replace(' ', 'T')) : new Date(NaN);
  if (!isValid(date)) {
    throw new UsageError(`${flag} "${text}": expected an ISO date or time, e.g. 2020-04-01 or 2020-04-01T08:00:00Z`);
  }
  return date;
}

/** Hours 00-23 and real UTC offsets (at most 14 hours, minutes under 60): parseISO accepts T24:00 and +25:00. */
function inRange(iso: string): boolean {
  const time = /T(\d{2}):(\d{2})/.exec(iso);
  if (time && (Number(time[1]) > 23 || Number(time[2]) > 59)) return false;
  const offset = /([+-])(\d{2}):?(\d{2})?$/.exec(iso.slice(10));
  return !offset || (Number(offset[2]) <= 14 && Number(offset[3] ?? 0) <= 59);
}

export function parsePositiveDuration(flag: string, text: string): number {
  const ms = parseDuration(text.trim());
  if (ms === null || ms <= 0) throw new UsageError(`${flag} "${text}": expected a duration such as 24h, 7d or 1h30m`);
  return ms;
}

/** `audit`: --since/--until, or --last DURATION ending now. */
export function auditWindow(flags: { since?: string; until?: string; last?: string }, now: Date): AuditWindow {
  if (flags.last !== undefined) {
    if (flags.since !== undefined) throw new UsageError('--last and --since cannot be used together');
    const end = flags.until !== undefined ? parseTime('--until', flags.until) : now;
    return checked({ since: new Date(end.getTime() - parsePositiveDuration('--last', flags.last)).toISOString(), until: end.toISOString() });
  }
  return checked({
    since: flags.since === undefined ? null : parseTime('--since', flags.since).toISOString(),
    until: flags.until === undefined ? null : parseTime('--until', flags.until).toISOString(),
  });
}

/**
 * `nightly`: the last complete UTC day by default; `--window 7d` is that many
 * days (or hours) ending at the last UTC midnight; `--window START/END` is explicit.
 */
export function nightlyWindow(window: string | undefined, now: Date): AuditWindow {
  const midnight = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  if (window === undefined) return { since: new Date(midnight.getTime() - DAY_MS).toISOString(), until: midnight.toISOString() };
  if (window.includes('/')) {
    const parts = window.split('/');
    if (parts.length !== 2) throw new UsageError(`--window "${window}": expected a duration (24h, 7d) or START/END, e.g. 2020-04-01/2020-04-02`);
    const [start, end] = parts as [string, string];
    return checked({ since: parseTime('--window start', start).toISOString(), until: parseTime('--window end', end).toISOString() });
  }
  const length = parseDuration(window.trim());
  if (length === null || length <= 0) {
    throw new UsageError(`--window "${window}": expected a duration ending at the last UTC midnight (24h, 7d) or START/END, e.g. 2020-04-01/2020-04-02`);
  }
  return { since: new Date(midnight.getTime() - length).toISOString(), until: midnight.toISOString() };
}

function checked(window: AuditWindow): AuditWindow {
  if (window.since !== null && window.until !== null && window.since >= window.until) {
    throw new UsageError(`the window is empty: ${window.since} is not before ${window.until}`);
  }
  return window;
}
