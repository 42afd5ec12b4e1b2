// The Sisense for Cloud Data Teams sandbox's public entry: start it in-process; its fixed demo names.
export {
  BUILT_IN_GROUPS,
  SISENSE_DEMO_GROUPS,
  SISENSE_DEMO_USERS,
  SISENSE_INJECTION_TEXT,
  SISENSE_SITES,
} from './demo-ids.js';
export type * from './handle.js';
export { startSisenseSandbox } from './start.js';
