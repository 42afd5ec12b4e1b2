// The sandbox's public entry: start it in-process, or run it from the CLI.
export { runSandboxCli } from './cli.js';
export {
  DEMO_CREDENTIALS,
  DEMO_GROUPS,
  DEMO_PERMISSIONS,
  DEMO_PROFILES,
  DEMO_TENANTS,
  DEMO_USERS,
  INJECTION_TEXT,
} from './demo-ids.js';
export { parseFaultSpec } from './faults.js';
export type * from './handle.js';
export { REPORT_COLUMNS } from './routes/reports.js';
export { startSandbox } from './start-sandbox.js';
