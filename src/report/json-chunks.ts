/**
 * `JSON.stringify(value, null, 2)`, byte for byte, in pieces: the report files
 * with one entry per finding are written as they are rendered rather than built
 * whole in the heap (issue 14). Every array a document holds at its top level
 * (or the document itself, when it is an array) is yielded one element at a
 * time, and a `MappedArray` there turns each element into its JSON object only
 * when that element is written.
 */

/** An array written element by element, each through `map` when its turn comes. */
export class MappedArray<T> {
  constructor(
    readonly items: readonly T[],
    readonly map: (item: T) => unknown,
  ) {}
}

type Streamable = unknown[] | MappedArray<unknown>;

/** The pieces of `JSON.stringify(document, null, 2) + '\n'`. */
export function* prettyJsonChunks(document: Record<string, unknown> | Streamable): Generator<string> {
  if (Array.isArray(document) || document instanceof MappedArray) {
    yield* arrayChunks(document, '');
    yield '\n';
    return;
  }
  let written = 0;
  for (const [key, value] of Object.entries(document)) {
    const streamed = Array.isArray(value) || value instanceof MappedArray;
    const text = streamed ? '' : stringify(value, '  ');
    // JSON.stringify leaves out a key whose value it cannot write (undefined, a function).
    if (text === undefined) continue;
    yield `${written === 0 ? '{' : ','}\n  ${JSON.stringify(key)}: `;
    if (streamed) yield* arrayChunks(value as Streamable, '  ');
    else yield text;
    written++;
  }
  yield written === 0 ? '{}\n' : '\n}\n';
}

/** The elements of an array nested `indent` deep; an empty array is `[]`, as JSON.stringify writes it. */
function* arrayChunks(array: Streamable, indent: string): Generator<string> {
  const items = array instanceof MappedArray ? array.items : array;
  const map = array instanceof MappedArray ? array.map : (item: unknown) => item;
  if (items.length === 0) {
    yield '[]';
    return;
  }
  const inner = `${indent}  `;
  for (let index = 0; index < items.length; index++) {
    // In an array, what JSON.stringify cannot write becomes null.
    yield `${index === 0 ? '[' : ','}\n${inner}${stringify(map(items[index]), inner) ?? 'null'}`;
  }
  yield `\n${indent}]`;
}

/** A value as JSON.stringify writes it `indent` deep: strings never hold a raw line break, so every one starts a new line. */
function stringify(value: unknown, indent: string): string | undefined {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  return text === undefined ? undefined : text.replaceAll('\n', `\n${indent}`);
}
