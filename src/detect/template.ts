/**
 * The small template language of a detection's wording (its header's
 * `incident-title`, `what-happened`, `incident-cause` and `incident-action`):
 *
 *   {name}                  a field's value
 *   {name:noun}             a count with its noun: "1 session", "3 sessions" ({name:child/children} for an irregular plural)
 *   {if name}…{else}…{end}  a part shown when the field is set (non-empty text, a non-zero count, true)
 *   {unless name}…{end}     a part shown when it is not
 *
 * A template is parsed once, when the registry reads the header, against the
 * fields it may use, so a misspelt field is an error naming the file and the key
 * rather than a blank in a report.
 */

export type TemplateValue = string | number | boolean;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'field'; name: string }
  | { kind: 'count'; name: string; singular: string; plural: string }
  | { kind: 'if'; name: string; negated: boolean; then: Node[]; otherwise: Node[] };

export interface Template {
  readonly source: string;
  readonly fields: readonly string[];
  render(values: Readonly<Record<string, TemplateValue>>): string;
}

/** Parses `source`; throws an Error saying what is wrong and where (the caller adds the file and key). */
export function parseTemplate(source: string, knownFields: readonly string[]): Template {
  const tokens = source.split(/(\{[^{}]*\})/).filter((t) => t !== '');
  let position = 0;
  const used = new Set<string>();

  const field = (name: string): string => {
    if (!knownFields.includes(name)) throw new Error(`unknown field {${name}} (known: ${knownFields.join(', ')})`);
    used.add(name);
    return name;
  };

  const parseUntil = (closers: readonly string[]): { nodes: Node[]; closer: string | null } => {
    const nodes: Node[] = [];
    while (position < tokens.length) {
      const token = tokens[position++]!;
      if (!token.startsWith('{')) {
        nodes.push({ kind: 'text', text: token });
        continue;
      }
      const body = token.slice(1, -1).trim();
      if (closers.includes(body)) return { nodes, closer: body };
      const block = /^(if|unless)\s+([a-z_]+)$/.exec(body);
      if (block) {
        const negated = block[1] === 'unless';
        const name = field(block[2]!);
        const then = parseUntil(negated ? ['end'] : ['else', 'end']);
        if (then.closer === null) throw new Error(`{${body}} has no {end}`);
        const otherwise = then.closer === 'else' ? parseUntil(['end']) : { nodes: [], closer: 'end' };
        if (otherwise.closer === null) throw new Error(`{${body}} has no {end}`);
        nodes.push({ kind: 'if', name, negated, then: then.nodes, otherwise: otherwise.nodes });
        continue;
      }
      const count = /^([a-z_]+):([^/{}]+)(?:\/([^/{}]+))?$/.exec(body);
      if (count) {
        const singular = count[2]!;
        nodes.push({ kind: 'count', name: field(count[1]!), singular, plural: count[3] ?? `${singular}s` });
        continue;
      }
      if (/^[a-z_]+$/.test(body)) {
        nodes.push({ kind: 'field', name: field(body) });
        continue;
      }
      throw new Error(`cannot read {${body}} (expected {field}, {field:noun}, {if field}, {unless field}, {else} or {end})`);
    }
    return { nodes, closer: null };
  };

  const { nodes, closer } = parseUntil(['else', 'end']);
  if (closer !== null) throw new Error(`{${closer}} without an {if}`);
  if (source.split('{').length !== source.split('}').length) throw new Error('unbalanced braces');
  return { source, fields: [...used], render: (values) => renderNodes(nodes, values) };
}

function renderNodes(nodes: readonly Node[], values: Readonly<Record<string, TemplateValue>>): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') {
      out += node.text;
      continue;
    }
    const value = values[node.name];
    if (value === undefined) throw new Error(`template field {${node.name}} has no value`);
    if (node.kind === 'field') out += String(value);
    else if (node.kind === 'count') {
      if (typeof value !== 'number') throw new Error(`{${node.name}:${node.singular}} needs a count, got ${JSON.stringify(value)}`);
      out += `${value} ${value === 1 ? node.singular : node.plural}`;
    } else {
      const set = value !== '' && value !== 0 && value !== false;
      out += renderNodes(set !== node.negated ? node.then : node.otherwise, values);
    }
  }
  return out;
}
