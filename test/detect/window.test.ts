import { describe, expect, it } from 'vitest';
import { auditWindow, nightlyWindow, parseTime } from '../../src/detect/window.js';
import { UsageError } from '../../src/errors.js';

const NOW = new Date('2020-04-02T03:15:00Z');

describe('parseTime', () => {
  it('reads a date as UTC midnight and a time without offset as UTC, whatever the machine zone', () => {
    expect(parseTime('--since', '2020-04-01').toISOString()).toBe('2020-04-01T00:00:00.000Z');
    expect(parseTime('--since', '2020-04-01T08:30').toISOString()).toBe('2020-04-01T08:30:00.000Z');
    expect(parseTime('--since', '2020-04-01 08:30:15.250').toISOString()).toBe('2020-04-01T08:30:15.250Z');
    expect(parseTime('--since', '2020-04-01T08:00:00+08:00').toISOString()).toBe('2020-04-01T00:00:00.000Z');
    expect(parseTime('--since', '2020-04-01T08:00:00+14:00').toISOString()).toBe('2020-03-31T18:00:00.000Z');
    expect(parseTime('--since', '2020-04-01T08:00:00-0930').toISOString()).toBe('2020-04-01T17:30:00.000Z');
  });

  it('refuses what is not an ISO date or time, naming the flag', () => {
    for (const bad of ['yesterday', '2020-13-01', '2020-02-30', '04/01/2020', '', '2020-04-01T24:00', '2020-04-01T08:00:00+25:00', '2020-04-01T08:00-30:00', '2020-04-01T08:00+01:75']) {
      expect(() => parseTime('--until', bad)).toThrow(UsageError);
    }
    expect(() => parseTime('--until', 'soon')).toThrow('--until "soon": expected an ISO date or time');
  });
});

describe('auditWindow', () => {
  it('takes --since/--until as given, open ends as null', () => {
    expect(auditWindow({ since: '2020-03-01' }, NOW)).toEqual({ since: '2020-03-01T00:00:00.000Z', until: null });
    expect(auditWindow({}, NOW)).toEqual({ since: null, until: null });
  });

  it('turns --last into a window ending now (or at --until)', () => {
    expect(auditWindow({ last: '24h' }, NOW)).toEqual({ since: '2020-04-01T03:15:00.000Z', until: '2020-04-02T03:15:00.000Z' });
    expect(auditWindow({ last: '7d', until: '2020-04-02' }, NOW)).toEqual({ since: '2020-03-26T00:00:00.000Z', until: '2020-04-02T00:00:00.000Z' });
  });

  it('refuses an empty window, --last with --since, and a bad duration', () => {
    expect(() => auditWindow({ since: '2020-04-02', until: '2020-04-01' }, NOW)).toThrow(/window is empty/);
    expect(() => auditWindow({ since: '2020-04-01', last: '1h' }, NOW)).toThrow(/cannot be used together/);
    expect(() => auditWindow({ last: 'a day' }, NOW)).toThrow(/--last "a day": expected a duration/);
  });
});

describe('nightlyWindow', () => {
  it('is the last complete UTC day by default', () => {
    expect(nightlyWindow(undefined, NOW)).toEqual({ since: '2020-04-01T00:00:00.000Z', until: '2020-04-02T00:00:00.000Z' });
    expect(nightlyWindow(undefined, new Date('2020-04-02T00:00:00Z'))).toEqual({ since: '2020-04-01T00:00:00.000Z', until: '2020-04-02T00:00:00.000Z' });
  });

  it('takes a duration ending at the last UTC midnight, or explicit START/END', () => {
    expect(nightlyWindow('7d', NOW)).toEqual({ since: '2020-03-26T00:00:00.000Z', until: '2020-04-02T00:00:00.000Z' });
    expect(nightlyWindow('2020-03-30/2020-04-01', NOW)).toEqual({ since: '2020-03-30T00:00:00.000Z', until: '2020-04-01T00:00:00.000Z' });
  });

  it('refuses a third part or a lone date, naming both accepted forms', () => {
    expect(() => nightlyWindow('2020-03-30/2020-03-31/2020-04-01', NOW)).toThrow('--window "2020-03-30/2020-03-31/2020-04-01": expected a duration (24h, 7d) or START/END');
    expect(() => nightlyWindow('2020-04-01', NOW)).toThrow('expected a duration ending at the last UTC midnight (24h, 7d) or START/END, e.g. 2020-04-01/2020-04-02');
  });
});
