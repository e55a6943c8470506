/**
 * Timestamps of sources: a declared format (`MM/dd/yyyy hh:mm:ss a`), and the time
 * zone of a wall-clock time that has no UTC offset. Nothing here reads the
 * machine's zone: a time without offset and without a declared zone is an error.
 */

/** Format tokens; everything else in a format is literal text. */
const TOKENS = ['yyyy', 'MM', 'M', 'dd', 'd', 'HH', 'H', 'hh', 'h', 'mm', 'ss', 'SSS', 'a', 'XXX'] as const;
type Token = (typeof TOKENS)[number];

export interface TimeFormat {
  text: string;
  pattern: RegExp;
  tokens: Token[];
  hasOffset: boolean;
}

export function parseTimeFormat(text: string): TimeFormat {
  const tokens: Token[] = [];
  let source = '';
  for (let i = 0; i < text.length; ) {
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token) {
      tokens.push(token);
      source += TOKEN_PATTERNS[token];
      i += token.length;
    } else {
      source += text[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  const has = (...names: Token[]) => names.some((n) => tokens.includes(n));
  if (!has('yyyy') || !has('MM', 'M') || !has('dd', 'd')) throw new Error(`"${text}" needs a year (yyyy), a month (MM or M) and a day (dd or d)`);
  if (has('hh', 'h') !== has('a')) throw new Error(`"${text}": a 12-hour clock (hh or h) goes with an AM/PM marker (a), and only with it`);
  return { text, pattern: new RegExp(`^${source}$`, 'i'), tokens, hasOffset: has('XXX') };
}

const TOKEN_PATTERNS: Record<Token, string> = {
  yyyy: '(\\d{4})',
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  dd: '(\\d{2})',
  d: '(\\d{1,2})',
  HH: '(\\d{2})',
  H: '(\\d{1,2})',
  hh: '(\\d{2})',
  h: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  SSS: '(\\d{1,6})',
  a: '(AM|PM)',
  XXX: '(Z|[+-]\\d{2}:?\\d{2})',
};

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  /** Minutes east of UTC, when the text gave one. */
  offsetMinutes: number | null;
}

/** The wall-clock fields of `value` read with `format`, or null when it does not match or is no real date and time. */
export function readWallClock(value: string, format: TimeFormat): WallClock | null {
  const match = format.pattern.exec(value.trim());
  if (!match) return null;
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, microsecond: 0, offsetMinutes: null };
  let pm: boolean | null = null;
  format.tokens.forEach((token, i) => {
    const text = match[i + 1]!;
    switch (token) {
      case 'yyyy': clock.year = Number(text); break;
      case 'MM': case 'M': clock.month = Number(text); break;
      case 'dd': case 'd': clock.day = Number(text); break;
      case 'HH': case 'H': case 'hh': case 'h': clock.hour = Number(text); break;
      case 'mm': clock.minute = Number(text); break;
      case 'ss': clock.second = Number(text); break;
      case 'SSS': clock.microsecond = Number(text.padEnd(6, '0')); break;
      case 'a': pm = text.toUpperCase() === 'PM'; break;
      case 'XXX': clock.offsetMinutes = parseOffset(text); break;
    }
  });
  if (pm !== null) {
    if (clock.hour < 1 || clock.hour > 12) return null;
    clock.hour = (clock.hour % 12) + (pm ? 12 : 0);
  }
  return isRealClock(clock) ? clock : null;
}

/** ISO-8601 date and time, with or without fraction and offset. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function readIsoClock(value: string): WallClock | null {
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const clock: WallClock = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    microsecond: Number((m[7] ?? '').slice(0, 6).padEnd(6, '0')),
    offsetMinutes: m[8] === undefined ? null : parseOffset(m[8]),
  };
  return isRealClock(clock) ? clock : null;
}

function parseOffset(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const digits = text.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
  return text.startsWith('-') ? -minutes : minutes;
}

function isRealClock(c: WallClock): boolean {
  if (c.month < 1 || c.month > 12 || c.hour > 23 || c.minute > 59 || c.second > 59) return false;
  if (c.offsetMinutes !== null && Math.abs(c.offsetMinutes) > 14 * 60) return false;
  const days = new Date(Date.UTC(c.year, c.month, 0)).getUTCDate();
  return c.day >= 1 && c.day <= days;
}

/**
 * The clock as an ISO-8601 UTC string with microseconds; a clock without offset is read in
 * `zone`. Returns 'no-zone' when it has no offset and no zone was declared, null for a
 * wall-clock time the zone skips (a daylight-saving gap).
 */
export function toUtcIso(clock: WallClock, zone: string | null): string | null | 'no-zone' {
  const wallMs = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
  let utcMs: number;
  if (clock.offsetMinutes !== null) utcMs = wallMs - clock.offsetMinutes * 60_000;
  else if (zone === null) return 'no-zone';
  else {
    const found = utcForWallClock(wallMs, zone);
    if (found === null) return null;
    utcMs = found;
  }
  return isoWithMicros(utcMs, clock.microsecond);
}

export function isoWithMicros(utcMs: number, microsecond: number): string {
  const base = new Date(utcMs).toISOString().slice(0, 19);
  return `${base}.${String(microsecond).padStart(6, '0')}Z`;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset at an instant, in milliseconds. */
function offsetAt(utcMs: number, zone: string): number {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    zoneFormats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(utcMs)).map((p) => [p.type, Number(p.value)]));
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) - Math.floor(utcMs / 1000) * 1000;
}

/**
 * The instant at which the zone's clocks showed `wallMs` (a wall-clock time written as if UTC).
 * Of the two instants in a repeated hour (the end of daylight saving), the earlier; null in a gap.
 */
function utcForWallClock(wallMs: number, zone: string): number | null {
  const candidates = new Set<number>();
  for (const probe of [wallMs - 86_400_000, wallMs, wallMs + 86_400_000]) candidates.add(wallMs - offsetAt(probe, zone));
  const valid = [...candidates].filter((utc) => utc + offsetAt(utc, zone) === wallMs).sort((a, b) => a - b);
  return valid[0] ?? null;
}

/** An IANA zone name (or UTC) that this Node's ICU knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
