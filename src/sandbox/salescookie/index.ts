// The Sales Cookie sandbox's public entry: start it in-process; the fixed demo names, ids and key.
export {
  DEMO_API_KEY,
  DEMO_TEAMS,
  DEMO_USERS,
  DEMO_WORKSPACE,
  SALESCOOKIE_INJECTION_TEXT,
} from './demo-ids.js';
export type * from './handle.js';
export { startSalescookieSandbox } from './start.js';
