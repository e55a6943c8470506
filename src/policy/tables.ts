import { varcharList, type Database, type SqlList } from '../db/database.js';
import { loadQuery } from '../queries.js';
import type { Policy } from './types.js';

/** Loads the policy into temporary tables of this connection (see queries/audit/policy-tables.sql). */
export async function loadPolicyTables(db: Database, policy: Policy): Promise<void> {
  const columns = {
    region_ids: [] as string[],
    region_countries: [] as string[],
    routing_regions: [] as string[],
    routing_tiers: [] as string[],
    routing_dcs: [] as string[],
    routing_positions: [] as string[],
    fence_dc_ids: [] as string[],
    fence_dc_regions: [] as string[],
    fence_client_ids: [] as string[],
    fence_client_regions: [] as string[],
    dc_name_ids: [] as string[],
    dc_names: [] as string[],
    dc_name_patterns: [] as (string | null)[],
    dc_name_positions: [] as string[],
    dc_network_ids: [] as string[],
    dc_network_starts: [] as string[],
    dc_network_ends: [] as string[],
    dc_network_prefixes: [] as string[],
    client_network_starts: [] as string[],
    client_network_ends: [] as string[],
    client_network_prefixes: [] as string[],
    client_network_countries: [] as string[],
    fence_ids: [] as string[],
    fence_unplaced_clients: [] as string[],
    account_ids: [] as string[],
    account_home_regions: [] as string[],
    account_regions: [] as string[],
  };
  for (const [region, countries] of Object.entries(policy.regions)) {
    for (const country of countries) {
      columns.region_ids.push(region);
      columns.region_countries.push(country);
    }
  }
  for (const [region, routing] of Object.entries(policy.routing)) {
    for (const tier of ['primary', 'secondary'] as const) {
      routing[tier].forEach((dc, position) => {
        columns.routing_regions.push(region);
        columns.routing_tiers.push(tier);
        columns.routing_dcs.push(dc);
        columns.routing_positions.push(String(position));
      });
    }
  }
  policy.datacenters.forEach((dc, index) => {
    for (const name of dc.names) {
      columns.dc_name_ids.push(dc.id);
      columns.dc_names.push(name);
      columns.dc_name_patterns.push(name.includes('*') ? likePattern(name) : null);
      columns.dc_name_positions.push(String(index));
    }
    for (const network of dc.networks) {
      columns.dc_network_ids.push(dc.id);
      columns.dc_network_starts.push(String(network.first));
      columns.dc_network_ends.push(String(network.last));
      columns.dc_network_prefixes.push(String(network.prefixLength));
    }
  });
  for (const { network, country } of policy.clientNetworks) {
    columns.client_network_starts.push(String(network.first));
    columns.client_network_ends.push(String(network.last));
    columns.client_network_prefixes.push(String(network.prefixLength));
    columns.client_network_countries.push(country);
  }
  for (const fence of policy.fences) {
    columns.fence_ids.push(fence.id);
    columns.fence_unplaced_clients.push(fence.unplacedClients);
    for (const region of fence.datacenterRegions) {
      columns.fence_dc_ids.push(fence.id);
      columns.fence_dc_regions.push(region);
    }
    for (const region of fence.clientRegions) {
      columns.fence_client_ids.push(fence.id);
      columns.fence_client_regions.push(region);
    }
  }
  for (const account of policy.accounts) {
    for (const region of new Set([account.homeRegion, ...account.allowedRegions])) {
      columns.account_ids.push(account.id);
      columns.account_home_regions.push(account.homeRegion);
      columns.account_regions.push(region);
    }
  }
  const params: Record<string, SqlList> = Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, varcharList(v)]));
  params.dc_ids = varcharList(policy.datacenters.map((d) => d.id));
  params.dc_countries = varcharList(policy.datacenters.map((d) => d.country));
  params.dc_operators = varcharList(policy.datacenters.map((d) => d.operator));
  params.dc_regions = varcharList(policy.datacenters.map((d) => d.region));
  const s = policy.suppressions;
  params.suppression_indexes = varcharList(s.map((x) => String(x.index)));
  params.suppression_rules = varcharList(s.map((x) => x.rule));
  params.suppression_accounts = varcharList(s.map((x) => x.account));
  params.suppression_datacenters = varcharList(s.map((x) => x.datacenter));
  params.suppression_client_regions = varcharList(s.map((x) => x.clientRegion));
  params.suppression_untils = varcharList(s.map((x) => x.until));
  params.suppression_reasons = varcharList(s.map((x) => x.reason));
  await db.runScript(loadQuery('audit/policy-tables.sql'), params);
}

/** A name with `*` wildcards as a LIKE pattern (ESCAPE backslash): `*` is any text, every other character itself. */
export function likePattern(name: string): string {
  return name.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');
}
