/**
 * Writes the sample policy in the layout of the issue's example: one flow
 * mapping per datacenter, route, fence, account and suppression, so that a
 * reader can scan the catalog and the whitelists line by line.
 */
import type { PolicyDocument } from './world.js';

const COMMENT_COLUMN = 25;

/** Plain when YAML 1.2 reads it back as the same string (ids, codes, dates), double-quoted otherwise. */
function scalar(text: string): string {
  const plain =
    /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(text) &&
    !/\s$/.test(text) &&
    !/^(true|false|null|yes|no|on|off|y|n)$/i.test(text) &&
    !/^([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+)$/i.test(text);
  return plain ? text : JSON.stringify(text);
}

function list(items: readonly string[]): string {
  return `[${items.map(scalar).join(', ')}]`;
}

function mapping(entries: [string, string | undefined][]): string {
  const present = entries.filter((entry): entry is [string, string] => entry[1] !== undefined);
  return `{ ${present.map(([key, value]) => `${key}: ${value}`).join(', ')} }`;
}

function section(name: string, comment?: string): string {
  const head = `${name}:`;
  return comment ? `${head.padEnd(COMMENT_COLUMN)}# ${comment}` : head;
}

export function renderPolicyYaml(policy: PolicyDocument): string {
  const lines = [
    '# Routing policy of the routeaudit sample; README.md next to this file tells the story.',
    `version: ${policy.version}`,
    section('regions', 'client and datacenter regions, by ISO-3166 country'),
    ...Object.entries(policy.regions).map(([region, countries]) => `  ${scalar(region)}: ${list(countries)}`),
    section('datacenters', 'the catalog; region comes from the country unless given'),
    ...policy.datacenters.map(
      (dc) =>
        `  - ${mapping([
          ['id', scalar(dc.id)],
          ['country', scalar(dc.country)],
          ['operator', scalar(dc.operator)],
          ['region', dc.region && scalar(dc.region)],
          ['names', dc.names && list(dc.names)],
          ['networks', dc.networks && list(dc.networks)],
        ])}`,
    ),
    ...(policy.client_networks
      ? [
          section('client_networks', 'office ranges a network sensor sees, with their country'),
          ...policy.client_networks.map((n) => `  - ${mapping([['network', scalar(n.network)], ['country', scalar(n.country)]])}`),
        ]
      : []),
    section('routing', 'per client region: primaries, then the backup-bridge whitelist'),
    ...Object.entries(policy.routing).map(
      ([region, route]) => `  ${scalar(region)}: ${mapping([['primary', list(route.primary)], ['secondary', list(route.secondary)]])}`,
    ),
    section('fences', 'datacenters in these regions may serve only these client regions'),
    ...policy.fences.map(
      (fence) =>
        `  - ${mapping([['id', scalar(fence.id)], ['datacenter_regions', list(fence.datacenter_regions)], ['client_regions', list(fence.client_regions)]])}`,
    ),
    section('accounts', 'customer data-routing selections, by host account'),
    ...policy.accounts.map(
      (account) =>
        `  - ${mapping([['id', scalar(account.id)], ['home_region', scalar(account.home_region)], ['allowed_regions', list(account.allowed_regions)]])}`,
    ),
    section('fallback'),
    `  primary_timeout_ms: ${policy.fallback.primary_timeout_ms}`,
    `${`  max_rate: ${policy.fallback.max_rate}`.padEnd(COMMENT_COLUMN)}# alert when a region's share of sessions connected via secondary exceeds this`,
    `  window: ${scalar(policy.fallback.window)}`,
    `  min_sessions: ${policy.fallback.min_sessions}`,
    `incident_gap: ${scalar(policy.incident_gap)}`,
    section('suppressions'),
    ...policy.suppressions.map(
      (suppression) =>
        `  - ${mapping([
          ['rule', scalar(suppression.rule)],
          ['account', suppression.account && scalar(suppression.account)],
          ['datacenter', suppression.datacenter && scalar(suppression.datacenter)],
          ['until', scalar(suppression.until)],
          ['reason', JSON.stringify(suppression.reason)],
        ])}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
