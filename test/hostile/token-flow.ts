import type { CallToolResult } from '@modelcontextprotocol/client';
import { expect } from 'vitest';
import type { ImpactPreview } from '../../src/contract/tool.js';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import { changeRequests, type E2E, type E2EOptions, previewCall, startE2E, textOf } from '../guards/e2e-harness.js';

// The token flow as the hostile preview suites drive it: a server on the file's sandbox, the first call that only
// previews, and the refusal when the data moved under an approval.

/** Runs `body` against a fresh server on `sandbox`, its request log cleared first. */
export async function withE2E(
  sandbox: SandboxHandle,
  body: (e2e: E2E) => Promise<void>,
  options: Omit<E2EOptions, 'sandbox'> = {},
): Promise<void> {
  const e2e = await startE2E({ sandbox, ...options });
  try {
    sandbox.clearRequests();
    await body(e2e);
  } finally {
    await e2e.close();
  }
}

/** The first call of the token flow: nothing is sent, the preview and a token come back. */
export const preview = (sandbox: SandboxHandle, e2e: E2E, tool: string, args: Record<string, unknown>) =>
  previewCall(sandbox, e2e.call, tool, args);

/** Refused before anything was sent, naming what changed since the human approved. */
export function expectRefusedAsChanged(sandbox: SandboxHandle, result: CallToolResult, changed: string): void {
  expect(result.isError).toBe(true);
  expect(textOf(result)).toContain('the data changed since the user approved this change');
  expect(textOf(result)).toContain(changed);
  expect(changeRequests(sandbox)).toEqual([]);
}

export const targetOf = (p: ImpactPreview, id: string) => p.targets.find((t) => t.id === id);
