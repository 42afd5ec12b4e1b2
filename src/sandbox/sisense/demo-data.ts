// Builds the demo sites: the fixed users and groups of demo-ids.ts first, then `users` generated ones on the
// primary site, drawn from the seed so the same seed gives the same directory.
import { createPrng, pickInt } from '../prng.js';
import { SISENSE_DEMO_GROUPS, SISENSE_DEMO_USERS, SISENSE_SITES } from './demo-ids.js';
import { SiteState } from './site-state.js';

export const MAX_GENERATED_USERS = 10_000;

const FIRST = ['Avery', 'Blake', 'Casey', 'Devon', 'Emery', 'Finley', 'Harper', 'Jordan', 'Kendall', 'Logan'];
const LAST = ['Abbott', 'Brennan', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Gallo', 'Hayashi', 'Ivanova'];

export function buildDemoSites(users: number, seed: number): Map<string, SiteState> {
  if (!Number.isInteger(users) || users < 0 || users > MAX_GENERATED_USERS) {
    throw new RangeError(`users must be an integer from 0 to ${MAX_GENERATED_USERS}, got ${users}`);
  }
  const now = () => new Date().toISOString();
  const primary = new SiteState(SISENSE_SITES.primary.site, true, now);
  const secondary = new SiteState(SISENSE_SITES.secondary.site, true, now);
  const basic = new SiteState(SISENSE_SITES.withoutApi.site, false, now);
  for (const site of [primary, secondary, basic]) site.addFirstAdmin(SISENSE_DEMO_USERS.admin);
  for (const group of Object.values(SISENSE_DEMO_GROUPS)) {
    primary.createGroup({ ...group, created_by_email: SISENSE_DEMO_USERS.admin.email }, false);
  }
  secondary.createGroup(
    { ...SISENSE_DEMO_GROUPS.sqlAnalysts, created_by_email: SISENSE_DEMO_USERS.admin.email },
    false,
  );
  const invited_by_email = SISENSE_DEMO_USERS.admin.email;
  primary.createUser(
    { ...SISENSE_DEMO_USERS.dana, groups: [SISENSE_DEMO_GROUPS.sqlAnalysts.name], invited_by_email },
    false,
  );
  secondary.createUser(
    { ...SISENSE_DEMO_USERS.dana, groups: [SISENSE_DEMO_GROUPS.sqlAnalysts.name], invited_by_email },
    false,
  );
  primary.createUser(
    {
      ...SISENSE_DEMO_USERS.mallory,
      groups: [SISENSE_DEMO_GROUPS.viewers.name, SISENSE_DEMO_GROUPS.injected.name],
      invited_by_email,
    },
    false,
  );
  const prng = createPrng(seed);
  const choices = Object.values(SISENSE_DEMO_GROUPS).map((g) => g.name);
  for (let i = 1; i <= users; i++) {
    const first = FIRST[pickInt(prng, FIRST.length)]!;
    const last = LAST[pickInt(prng, LAST.length)]!;
    const groups = [choices[pickInt(prng, choices.length)]!];
    const email = `${first}.${last}.${String(i).padStart(5, '0')}@wff-demo.example`.toLowerCase();
    primary.createUser({ first_name: first, last_name: last, email, groups, invited_by_email }, false);
  }
  return new Map([primary, secondary, basic].map((s) => [s.site, s]));
}
