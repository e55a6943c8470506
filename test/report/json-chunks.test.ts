import { describe, expect, it } from 'vitest';
import { MappedArray, prettyJsonChunks } from '../../src/report/json-chunks.js';

const joined = (value: Parameters<typeof prettyJsonChunks>[0]) => [...prettyJsonChunks(value)].join('');
const stringified = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('prettyJsonChunks', () => {
  const documents: [what: string, document: Record<string, unknown> | unknown[]][] = [
    ['an empty object', {}],
    ['an empty array', []],
    ['scalars of every kind', { s: 'text', n: -1.5, t: true, f: false, z: null }],
    ['empty and nested arrays and objects', { a: [], o: {}, nested: [[], [1, [2, { x: [] }]], {}], deep: { a: { b: [1, 2] } } }],
    ['strings that look like JSON or break lines', { 'key "with" quotes\n': 'line\nbreak\r\n  "indent": [', tab: '\t\u0000\u2028' }],
    ['values JSON leaves out or writes as null', { gone: undefined, fn: () => 1, list: [undefined, () => 1, Number.NaN, 1] }],
    ['a date, written by its toJSON', { at: new Date(Date.UTC(2020, 3, 1)), list: [new Date(0)] }],
    ['a top-level array of objects', [{ a: 1, b: [1, { c: 'x\ny' }] }, null, 'two', []]],
  ];

  it.each(documents)('writes %s exactly as JSON.stringify(value, null, 2) does', (_what, document) => {
    expect(joined(document)).toBe(stringified(document));
  });

  it('yields a top-level array one element at a time', () => {
    const chunks = [...prettyJsonChunks({ head: 1, items: [{ a: 1 }, { a: 2 }, { a: 3 }], tail: 'end' })];
    expect(chunks.filter((chunk) => chunk.includes('"a"'))).toHaveLength(3);
  });

  it('maps the elements of a MappedArray only as they are written, in order', () => {
    const mapped: number[] = [];
    const chunks = prettyJsonChunks({
      items: new MappedArray([1, 2, 3], (n) => {
        mapped.push(n);
        return { n, square: n * n };
      }),
    });
    expect(chunks.next().value).toBe('{\n  "items": ');
    expect(mapped).toEqual([]);
    const rest = [...chunks].join('');
    expect(mapped).toEqual([1, 2, 3]);
    expect(`{\n  "items": ${rest}`).toBe(stringified({ items: [1, 2, 3].map((n) => ({ n, square: n * n })) }));
  });

  it('writes an empty MappedArray as [] without mapping anything', () => {
    expect(joined({ items: new MappedArray([], () => { throw new Error('mapped'); }) })).toBe(stringified({ items: [] }));
  });
});
