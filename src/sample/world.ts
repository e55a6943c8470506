/**
 * The sample's world: countries (clock offsets, address blocks, traffic
 * shares) and the routing policy. policy.yaml is rendered from SAMPLE_POLICY
 * and the traffic simulation routes clients with the same lists, so the logs
 * and the committed policy cannot disagree.
 */

/** The policy document exactly as policy.yaml spells it (see issue 3 and docs/policy.md). */
export interface PolicyDocument {
  version: 1;
  regions: Record<string, string[]>;
  datacenters: { id: string; country: string; operator: string; region?: string; names?: string[]; networks?: string[] }[];
  client_networks?: { network: string; country: string }[];
  routing: Record<string, { primary: string[]; secondary: string[] }>;
  fences: { id: string; datacenter_regions: string[]; client_regions: string[] }[];
  accounts: { id: string; home_region: string; allowed_regions: string[] }[];
  fallback: { primary_timeout_ms: number; max_rate: number; window: string; min_sessions: number };
  incident_gap: string;
  suppressions: { rule: string; account?: string; datacenter?: string; until: string; reason: string }[];
}

export const RESTRICTED_US_ACCOUNT = 'acme';
export const RESTRICTED_EU_ACCOUNT = 'hansa-logistik';

export const SAMPLE_POLICY: PolicyDocument = {
  version: 1,
  regions: {
    US: ['US'],
    CA: ['CA'],
    EU: ['DE', 'FR', 'NL', 'IE', 'GB', 'SE', 'ES', 'IT'],
    IN: ['IN'],
    AU: ['AU', 'NZ'],
    CN: ['CN'],
    LATAM: ['BR', 'MX', 'AR', 'CO'],
    'JP-HK': ['JP', 'HK'],
  },
  datacenters: [
    { id: 'us-sjc1', country: 'US', operator: 'Equinix' },
    { id: 'us-iad1', country: 'US', operator: 'Equinix' },
    { id: 'us-dfw1', country: 'US', operator: 'Digital Realty' },
    { id: 'ca-yyz1', country: 'CA', operator: 'Cologix' },
    { id: 'ca-yul1', country: 'CA', operator: 'Cologix' },
    { id: 'eu-ams1', country: 'NL', operator: 'Equinix' },
    { id: 'eu-fra1', country: 'DE', operator: 'Interxion' },
    { id: 'eu-lhr1', country: 'GB', operator: 'Telehouse' },
    { id: 'in-bom1', country: 'IN', operator: 'NTT' },
    { id: 'au-syd1', country: 'AU', operator: 'Equinix' },
    { id: 'au-mel1', country: 'AU', operator: 'NEXTDC' },
    { id: 'cn-pek1', country: 'CN', operator: 'Telstra' },
    { id: 'cn-sha1', country: 'CN', operator: 'Telstra' },
    { id: 'br-gru1', country: 'BR', operator: 'Equinix' },
    { id: 'mx-qro1', country: 'MX', operator: 'KIO Networks' },
    { id: 'jp-tyo1', country: 'JP', operator: 'NTT' },
    { id: 'hk-hkg1', country: 'HK', operator: 'Equinix' },
    { id: 'us-aws1', country: 'US', operator: 'AWS' },
    { id: 'us-oci1', country: 'US', operator: 'Oracle' },
    { id: 'eu-aws1', country: 'DE', operator: 'AWS' },
    { id: 'cn-aws1', country: 'CN', operator: 'AWS', region: 'CN' },
  ],
  routing: {
    // cn-pek1 and cn-sha1 on the US whitelist are the deliberate mistake (the April 2020 root cause).
    US: { primary: ['us-sjc1', 'us-iad1', 'us-dfw1'], secondary: ['us-aws1', 'us-oci1', 'ca-yyz1', 'eu-ams1', 'eu-fra1', 'cn-pek1', 'cn-sha1'] },
    CA: { primary: ['ca-yyz1', 'ca-yul1'], secondary: ['us-iad1', 'us-aws1'] },
    EU: { primary: ['eu-ams1', 'eu-fra1', 'eu-lhr1'], secondary: ['eu-aws1', 'us-iad1'] },
    IN: { primary: ['in-bom1'], secondary: ['eu-fra1', 'jp-tyo1'] },
    AU: { primary: ['au-syd1', 'au-mel1'], secondary: ['jp-tyo1', 'us-sjc1'] },
    CN: { primary: ['cn-pek1', 'cn-sha1', 'cn-aws1'], secondary: [] },
    LATAM: { primary: ['br-gru1', 'mx-qro1'], secondary: ['us-dfw1', 'us-aws1'] },
    'JP-HK': { primary: ['jp-tyo1', 'hk-hkg1'], secondary: ['au-syd1', 'us-sjc1'] },
  },
  fences: [{ id: 'china', datacenter_regions: ['CN'], client_regions: ['CN'] }],
  accounts: [
    { id: RESTRICTED_US_ACCOUNT, home_region: 'US', allowed_regions: ['US', 'CA'] },
    { id: RESTRICTED_EU_ACCOUNT, home_region: 'EU', allowed_regions: ['EU'] },
  ],
  fallback: { primary_timeout_ms: 5500, max_rate: 0.05, window: '1h', min_sessions: 20 },
  incident_gap: '2h',
  suppressions: [
    { rule: 'account-routing', account: RESTRICTED_US_ACCOUNT, datacenter: 'eu-ams1', until: '2030-01-01', reason: 'approved exception SEC-1' },
    // Expired before the sample week: it must not hide the hansa-logistik sessions on us-iad1, and the audit reports it.
    { rule: 'account-routing', account: RESTRICTED_EU_ACCOUNT, datacenter: 'us-iad1', until: '2020-03-01', reason: 'US trade fair travel SEC-7' },
  ],
};

export interface CountryProfile {
  /** Minutes east of UTC in the sample week (daylight saving as of late March 2020). */
  utcOffsetMinutes: number;
  /** APAC clients log local time with an offset; the others log UTC with `Z`. */
  logsLocalTime: boolean;
  /** First two octets of consumer address blocks; the host part is random. */
  ipv4: string[];
  /** First two groups of IPv6 consumer blocks; empty where clients only use IPv4. */
  ipv6: string[];
}

export const COUNTRIES: Record<string, CountryProfile> = {
  US: { utcOffsetMinutes: -300, logsLocalTime: false, ipv4: ['73.162', '98.207', '24.13', '67.180', '71.198', '108.51', '174.64', '76.102'], ipv6: ['2601:646', '2600:1700', '2603:8001'] },
  CA: { utcOffsetMinutes: -240, logsLocalTime: false, ipv4: ['99.231', '70.53', '142.114', '174.112', '24.114'], ipv6: ['2607:fea8'] },
  DE: { utcOffsetMinutes: 120, logsLocalTime: false, ipv4: ['79.214', '84.160', '91.64', '93.208'], ipv6: ['2003:e2', '2a02:8108'] },
  FR: { utcOffsetMinutes: 120, logsLocalTime: false, ipv4: ['82.64', '86.246', '90.12'], ipv6: ['2a01:cb00'] },
  NL: { utcOffsetMinutes: 120, logsLocalTime: false, ipv4: ['77.164', '83.85'], ipv6: ['2001:1c00'] },
  IE: { utcOffsetMinutes: 60, logsLocalTime: false, ipv4: ['86.44', '89.101'], ipv6: [] },
  GB: { utcOffsetMinutes: 60, logsLocalTime: false, ipv4: ['81.98', '86.140', '109.150'], ipv6: ['2a00:23c5'] },
  SE: { utcOffsetMinutes: 120, logsLocalTime: false, ipv4: ['83.248', '90.227'], ipv6: [] },
  ES: { utcOffsetMinutes: 120, logsLocalTime: false, ipv4: ['83.44', '88.12'], ipv6: [] },
  IT: { utcOffsetMinutes: 120, logsLocalTime: false, ipv4: ['79.40', '93.44'], ipv6: [] },
  IN: { utcOffsetMinutes: 330, logsLocalTime: true, ipv4: ['49.36', '106.51', '117.196', '122.161', '182.68'], ipv6: ['2409:4042'] },
  AU: { utcOffsetMinutes: 660, logsLocalTime: true, ipv4: ['101.160', '110.174', '120.150'], ipv6: ['2001:8003'] },
  NZ: { utcOffsetMinutes: 780, logsLocalTime: true, ipv4: ['122.56', '125.239'], ipv6: [] },
  CN: { utcOffsetMinutes: 480, logsLocalTime: true, ipv4: ['36.112', '58.33', '111.196', '117.136', '180.168'], ipv6: ['240e:3b5'] },
  BR: { utcOffsetMinutes: -180, logsLocalTime: false, ipv4: ['177.33', '179.218', '187.74', '189.6', '201.17'], ipv6: ['2804:14c'] },
  MX: { utcOffsetMinutes: -360, logsLocalTime: false, ipv4: ['187.189', '189.203', '201.141'], ipv6: [] },
  AR: { utcOffsetMinutes: -180, logsLocalTime: false, ipv4: ['181.46', '190.194'], ipv6: [] },
  CO: { utcOffsetMinutes: -300, logsLocalTime: false, ipv4: ['181.51', '190.157'], ipv6: [] },
  JP: { utcOffsetMinutes: 540, logsLocalTime: true, ipv4: ['60.98', '106.72', '126.77', '153.156'], ipv6: ['240b:11'] },
  HK: { utcOffsetMinutes: 480, logsLocalTime: true, ipv4: ['42.200', '112.118', '119.236'], ipv6: [] },
  // Listed in no region of the policy: its sessions are `unmapped`.
  ZA: { utcOffsetMinutes: 120, logsLocalTime: false, ipv4: ['41.13', '105.226', '196.210'], ipv6: [] },
};

/** Share of meeting hosts per client region, and of each region's clients per country. */
export const REGION_TRAFFIC: { region: string; share: number; countries: { value: string; weight: number }[] }[] = [
  { region: 'US', share: 0.4, countries: [{ value: 'US', weight: 1 }] },
  { region: 'CA', share: 0.07, countries: [{ value: 'CA', weight: 1 }] },
  {
    region: 'EU',
    share: 0.17,
    countries: [
      { value: 'DE', weight: 0.26 },
      { value: 'GB', weight: 0.24 },
      { value: 'FR', weight: 0.18 },
      { value: 'NL', weight: 0.1 },
      { value: 'ES', weight: 0.08 },
      { value: 'IT', weight: 0.07 },
      { value: 'SE', weight: 0.04 },
      { value: 'IE', weight: 0.03 },
    ],
  },
  { region: 'IN', share: 0.08, countries: [{ value: 'IN', weight: 1 }] },
  { region: 'AU', share: 0.05, countries: [{ value: 'AU', weight: 0.85 }, { value: 'NZ', weight: 0.15 }] },
  { region: 'CN', share: 0.05, countries: [{ value: 'CN', weight: 1 }] },
  {
    region: 'LATAM',
    share: 0.09,
    countries: [
      { value: 'BR', weight: 0.5 },
      { value: 'MX', weight: 0.3 },
      { value: 'AR', weight: 0.1 },
      { value: 'CO', weight: 0.1 },
    ],
  },
  { region: 'JP-HK', share: 0.09, countries: [{ value: 'JP', weight: 0.7 }, { value: 'HK', weight: 0.3 }] },
];

const CLOUD_OPERATORS = new Set(['AWS', 'Oracle']);

export function isCloud(datacenterId: string): boolean {
  const dc = findDatacenter(datacenterId);
  return dc !== undefined && CLOUD_OPERATORS.has(dc.operator);
}

export function findDatacenter(id: string): PolicyDocument['datacenters'][number] | undefined {
  return SAMPLE_POLICY.datacenters.find((dc) => dc.id === id);
}

/** The policy region listing a country, or null when none does (ZA). */
export function regionOfCountry(country: string): string | null {
  for (const [region, countries] of Object.entries(SAMPLE_POLICY.regions)) {
    if (countries.includes(country)) return region;
  }
  return null;
}

/** A datacenter's region as the policy defines it; null for a dc_id outside the catalog. */
export function regionOfDatacenter(id: string): string | null {
  const dc = findDatacenter(id);
  if (!dc) return null;
  return dc.region ?? regionOfCountry(dc.country);
}

export function routeFor(region: string): { primary: string[]; secondary: string[] } {
  const route = SAMPLE_POLICY.routing[region];
  if (!route) throw new Error(`the sample policy has no routing for ${region}`);
  return route;
}

/**
 * The country whose address blocks (COUNTRIES) an address was drawn from: what a geo
 * database says of it (the blocks are chosen so that the bundled one agrees). Null
 * for the documentation addresses and anything else.
 */
export function countryOfAddress(ip: string): string | null {
  const prefix = ip.includes(':') ? ip.split(':').slice(0, 2).join(':') : ip.split('.').slice(0, 2).join('.');
  for (const [country, profile] of Object.entries(COUNTRIES)) {
    if (profile.ipv4.includes(prefix) || profile.ipv6.includes(prefix)) return country;
  }
  return null;
}

export function countryProfile(country: string): CountryProfile {
  const profile = COUNTRIES[country];
  if (!profile) throw new Error(`the sample has no profile for country ${country}`);
  return profile;
}
