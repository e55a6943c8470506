import { describe, expect, it } from 'vitest';
import { bindClickHouse, epochMicros, identifierLiteral, integerLiteral, statementsOf } from '../../src/db/clickhouse-sql.js';

describe('the ClickHouse SQL helper', () => {
  it('splices safe integers and NULL, and nothing else', () => {
    expect(bindClickHouse('SELECT $a, $b', { a: -42, b: null }, {})).toBe('SELECT -42, NULL');
    expect(integerLiteral(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(() => integerLiteral(bad, 'x')).toThrow(/\$x must be a safe integer/);
    // A string smuggled past the types is refused, not quoted.
    expect(() => bindClickHouse('SELECT $a', { a: "1; DROP TABLE t" as unknown as number }, {})).toThrow(/must be a safe integer/);
  });

  it('backquotes plain identifiers and refuses any other name', () => {
    expect(bindClickHouse('SELECT * FROM {{db}}.connections', {}, { db: 'routeaudit_2' })).toBe('SELECT * FROM `routeaudit_2`.connections');
    for (const bad of ['a-b', '1abc', 'x`y', 'a b', '', 'db.table', 'ünï']) expect(() => identifierLiteral(bad)).toThrow(/not a plain identifier/);
  });

  it('names a placeholder without a value, and a value no placeholder uses', () => {
    expect(() => bindClickHouse('SELECT $missing', {}, {})).toThrow('no value given for $missing');
    expect(() => bindClickHouse('SELECT {{t}}', {}, {})).toThrow('no identifier given for {{t}}');
    expect(() => bindClickHouse('SELECT 1', { extra: 1 }, {})).toThrow('values given but not used: $extra');
  });

  it('binds nothing in whole-line comments and drops them', () => {
    expect(bindClickHouse('-- costs $nothing, not even {{this}}\nSELECT $a', { a: 1 }, {})).toBe('SELECT 1');
  });

  it('converts ISO times to epoch microseconds exactly', () => {
    expect(epochMicros('2020-04-01T00:00:00Z')).toBe(1_585_699_200_000_000);
    expect(epochMicros('2020-04-01T00:00:00.123456Z')).toBe(1_585_699_200_123_456);
    expect(epochMicros('1969-12-31T23:59:59.999Z')).toBe(-1000);
    expect(epochMicros(null)).toBeNull();
    expect(() => epochMicros('yesterday')).toThrow('not a time: yesterday');
  });

  it('splits a script at semicolons that end a line', () => {
    expect(statementsOf('CREATE TABLE a (x Int8);\n\nINSERT INTO a VALUES (1);\nSELECT 1')).toEqual(['CREATE TABLE a (x Int8)', 'INSERT INTO a VALUES (1)', 'SELECT 1']);
  });
});
