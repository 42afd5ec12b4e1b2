// The sandbox's public entry: start it in-process, or run it from the CLI.
export { runSandboxCli } from './cli.js';
export { parseFaultSpec } from './faults.js';
export type * from './handle.js';
export {
  DEMO_CREDENTIALS,
  DEMO_GROUPS,
  DEMO_PERMISSIONS,
  DEMO_PROFILES,
  DEMO_TENANTS,
  DEMO_USERS,
  INJECTION_TEXT,
} from './visier/demo-ids.js';
export { REPORT_COLUMNS } from './visier/routes/reports.js';
export { startSandbox } from './visier/start-sandbox.js';
