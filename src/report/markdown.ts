/**
 * summary.md: the report for people. Verdict first, then one section per
 * incident, then the context that says what the verdict covers. What it says
 * comes from the report document (sections.ts); this module only writes it.
 *
 * Every string that is not a number goes through `escapeMarkdown`, because ids,
 * countries and file names come from logs and a hostile one must not split a
 * table row, open a code span or smuggle HTML into a Markdown viewer.
 */
import type { AuditReport } from '../detect/model.js';
import type { Block, Entry, Field, Inline, Line, ReportDocument, Section, Table } from './document.js';
import { reportDocument } from './sections.js';
import { sanitizeForDisplay } from './summary.js';

/**
 * Backslash-escapes the characters that start Markdown or GFM constructs
 * anywhere in a line (emphasis, code, links, HTML, entities, tables,
 * strikethrough, math). Line starts need no care: values never start a line.
 * An underscore between two letters or digits cannot open or close emphasis
 * (CommonMark), so `key_exchange` stays readable in the raw file.
 */
export function escapeMarkdown(value: string): string {
  return sanitizeForDisplay(value).replace(/[\\`*[\]<>|~&$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\$&');
}

export function renderMarkdown(report: AuditReport): string {
  const document = reportDocument(report);
  const blocks = [header(document), ...document.sections.map(section)];
  return `${blocks.filter((block) => block !== null).join('\n\n')}\n`;
}

function header(document: ReportDocument): string {
  const verdict = document.verdict;
  const highest = verdict.highestSeverity === null ? '' : ` — highest severity ${verdict.highestSeverity}`;
  const lines = [`# routeaudit report ${escapeMarkdown(document.runId)}`, '', `**Verdict: ${escapeMarkdown(verdict.headline)}**${highest}`];
  if (verdict.mostUrgent.length > 0) lines.push('', '**Most urgent:**', '', ...verdict.mostUrgent.map((urgent) => `- ${escapeMarkdown(urgent)}`));
  if (verdict.alsoNoted.length > 0) lines.push('', `Also in this run: ${escapeMarkdown(verdict.alsoNoted.join(', '))}.`);
  lines.push('', fieldList(document.runFacts));
  return lines.join('\n');
}

function section(content: Section | null): string | null {
  if (content === null) return null;
  const blocks = content.blocks.map(block).filter((text) => text !== null);
  // A section of charts alone has nothing to say in text.
  if (blocks.length === 0) return null;
  return [`## ${escapeMarkdown(content.heading)}`, ...blocks].join('\n\n');
}

function block(content: Block): string | null {
  switch (content.kind) {
    case 'paragraph':
      // One source line per paragraph, so that a diff of two summaries shows whole paragraphs.
      return content.lines.map(line).join(' ');
    case 'subheading':
      return `### ${escapeMarkdown(content.text)}`;
    case 'table':
      return markdownTable(content.table);
    case 'entries':
      return content.entries.map(entry).join('\n\n');
    case 'figure':
      return null;
  }
}

function entry(content: Entry): string {
  const heading = `### ${content.position}. ${escapeMarkdown(content.status.toUpperCase())} · ${content.severity} · ${escapeMarkdown(content.title)}`;
  return [heading, '', line(content.summary), '', fieldList(content.fields)].join('\n');
}

function fieldList(fields: readonly (Field | null)[]): string {
  return fields
    .filter((field) => field !== null)
    .map((field) => `- **${escapeMarkdown(field.label)}:** ${line(field.value)}`)
    .join('\n');
}

function line(content: Line): string {
  return content.map(inline).join('');
}

function inline(piece: Inline): string {
  if (typeof piece === 'number') return String(piece);
  if (typeof piece === 'string') return escapeMarkdown(piece);
  switch (piece.kind) {
    // Identifiers stay plain escaped text: a code span cannot hold a backtick from the logs, and escapes would show inside it.
    case 'code':
    case 'wording':
      return escapeMarkdown(piece.text);
    case 'literal':
      // routeaudit's own literals only, so a code span is safe unless one ever holds a backtick.
      return piece.text.includes('`') ? escapeMarkdown(piece.text) : `\`${sanitizeForDisplay(piece.text)}\``;
    case 'column-name':
      return `"${escapeMarkdown(piece.text)}"`;
    case 'muted':
      return line(piece.content);
    case 'alert':
      return `**${line(piece.content)}**`;
    case 'severity':
      return piece.severity;
    case 'digest':
      return `(${escapeMarkdown(`${piece.algorithm} ${piece.value}`)})`;
    case 'break':
      // A list item cannot hold a line break.
      return '; ';
    case 'per-format':
      return line(piece.markdown);
  }
}

function markdownTable(content: Table): string {
  if (content.rows.length === 0 && content.empty !== null) return escapeMarkdown(content.empty);
  const headers = content.columns.map((column) => escapeMarkdown(column.header));
  const separator = content.columns.map((column) => (column.format === 'number' ? '---:' : '---'));
  const rows = content.rows.map((cells) => cells.map(line));
  return [headers, separator, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
