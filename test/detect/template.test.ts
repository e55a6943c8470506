import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../src/detect/template.js';

const FIELDS = ['region', 'sessions', 'keys', 'note', 'placed'];

describe('wording templates', () => {
  it('fills fields, counts with their nouns, and conditional parts', () => {
    const template = parseTemplate('{sessions:session} from {region}{if keys}, {keys:key exchange}{else}, no keys{end}{unless placed} (unplaced){end}.', FIELDS);
    expect(template.render({ region: 'US', sessions: 1, keys: 0, note: '', placed: true })).toBe('1 session from US, no keys.');
    expect(template.render({ region: 'unknown', sessions: 3, keys: 2, note: '', placed: false })).toBe('3 sessions from unknown, 2 key exchanges (unplaced).');
    expect(parseTemplate('{sessions:child/children}', FIELDS).render({ sessions: 2 })).toBe('2 children');
    expect(parseTemplate('{if note}[{note}]{end}', FIELDS).render({ note: '' })).toBe('');
  });

  it('nests conditions', () => {
    const template = parseTemplate('{if placed}{if keys}A{else}B{end}{else}C{end}', FIELDS);
    expect([true, false].flatMap((placed) => [0, 1].map((keys) => template.render({ placed, keys })))).toEqual(['B', 'A', 'C', 'C']);
  });

  it('refuses unknown fields and broken blocks, saying what it expected', () => {
    expect(() => parseTemplate('{regoin}', FIELDS)).toThrow('unknown field {regoin} (known: region, sessions, keys, note, placed)');
    expect(() => parseTemplate('{if keys}open', FIELDS)).toThrow('{if keys} has no {end}');
    expect(() => parseTemplate('text{end}', FIELDS)).toThrow('{end} without an {if}');
    expect(() => parseTemplate('{Region!}', FIELDS)).toThrow(/cannot read \{Region!\}/);
    expect(() => parseTemplate('a { b', FIELDS)).toThrow('unbalanced braces');
  });

  it('refuses to count what is not a number', () => {
    expect(() => parseTemplate('{region:session}', FIELDS).render({ region: 'US' })).toThrow(/needs a count/);
  });
});
