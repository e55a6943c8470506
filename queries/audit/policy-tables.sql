-- The routing policy as tables, from bound parallel lists (one list per column,
-- unnested together), so no policy value is ever spliced into SQL text.

CREATE OR REPLACE TEMP TABLE policy_regions AS
SELECT unnest($region_ids) AS region, unnest($region_countries) AS country;

CREATE OR REPLACE TEMP TABLE policy_datacenters AS
SELECT unnest($dc_ids) AS dc_id, unnest($dc_countries) AS country,
       unnest($dc_operators) AS operator, unnest($dc_regions) AS region;

-- Other names of catalog datacenters: pattern is the LIKE form of a name with `*` (NULL for
-- an exact name); position is the datacenter's place in the catalog (the first pattern wins).
CREATE OR REPLACE TEMP TABLE policy_dc_names AS
SELECT unnest($dc_name_ids) AS dc_id, unnest($dc_names) AS name, unnest($dc_name_patterns) AS pattern,
       unnest($dc_name_positions)::INTEGER AS position;

-- Catalog datacenters' address blocks, as 128-bit key ranges (docs/geo.md): an attempt no id or
-- name places is placed by its dc_ip in the most specific block holding it (dc-placement.sql).
CREATE OR REPLACE TEMP TABLE policy_dc_networks AS
SELECT unnest($dc_network_ids) AS dc_id, unnest($dc_network_starts)::UHUGEINT AS range_start,
       unnest($dc_network_ends)::UHUGEINT AS range_end, unnest($dc_network_prefixes)::INTEGER AS prefix_length;

-- Client address blocks with the country the policy gives them, as 128-bit key ranges (docs/geo.md).
CREATE OR REPLACE TEMP TABLE policy_client_networks AS
SELECT unnest($client_network_starts)::UHUGEINT AS range_start, unnest($client_network_ends)::UHUGEINT AS range_end,
       unnest($client_network_prefixes)::INTEGER AS prefix_length, unnest($client_network_countries) AS country;

CREATE OR REPLACE TEMP TABLE policy_routing AS
SELECT unnest($routing_regions) AS client_region, unnest($routing_tiers) AS tier,
       unnest($routing_dcs) AS dc_id, unnest($routing_positions)::INTEGER AS position;

CREATE OR REPLACE TEMP TABLE policy_fences AS
SELECT unnest($fence_ids) AS fence_id, unnest($fence_unplaced_clients) AS unplaced_clients;

CREATE OR REPLACE TEMP TABLE policy_fence_dc_regions AS
SELECT unnest($fence_dc_ids) AS fence_id, unnest($fence_dc_regions) AS region;

CREATE OR REPLACE TEMP TABLE policy_fence_client_regions AS
SELECT unnest($fence_client_ids) AS fence_id, unnest($fence_client_regions) AS region;

-- An account's allowed regions include its home region.
CREATE OR REPLACE TEMP TABLE policy_account_regions AS
SELECT unnest($account_ids) AS account_id, unnest($account_home_regions) AS home_region,
       unnest($account_regions) AS region;

CREATE OR REPLACE TEMP TABLE policy_suppressions AS
SELECT unnest($suppression_indexes)::INTEGER AS suppression_index, unnest($suppression_rules) AS rule,
       unnest($suppression_accounts) AS account_id, unnest($suppression_datacenters) AS dc_id,
       unnest($suppression_client_regions) AS client_region,
       unnest($suppression_untils)::TIMESTAMPTZ AS until, unnest($suppression_reasons) AS reason;
