import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';
import { textOf } from './harness.js';

// The README's example session is what a new user reads first: its calls must name real tools and arguments,
// and the answers it quotes must be what the sandbox (as `--sandbox` starts it) really says. Shortened ids
// (`…0102`) in the README stand for the rest of the id.

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('### Example session');
const example = readme.slice(start, readme.indexOf('\n## ', start)).replace(/\n> ?/g, ' ');
const spans = [...example.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
const calls = spans.flatMap((span) => {
  const call = /^([a-z_]+) (\{.*\})$/.exec(span);
  return call ? [{ tool: call[1] as string, args: JSON.parse(call[2] as string) as Record<string, unknown> }] : [];
});
// Quoted answers: spans with a space or a quote that are neither calls nor command-line flags.
const quotes = spans.filter((span) => /[ "]/.test(span) && !span.startsWith('-') && !/^[a-z_]+ \{/.test(span));

/** A quote as a pattern over the real text: `…` stands for the elided start of an id. */
function pattern(quote: string): RegExp {
  return new RegExp(
    quote
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[0-9a-f-]*'),
  );
}

describe('the README example session', () => {
  let sandbox: SandboxHandle;
  let stack: Stack;
  const texts: string[] = [];
  const audit: string[] = [];
  /** A call the session makes; only the preview that asks for confirmation is an error result. */
  const run = async (name: string, args: Record<string, unknown>, asksConfirmation = false) => {
    const result: CallToolResult = await stack.call(name, args);
    expect(result.isError ?? false, `${name}: ${textOf(result)}`).toBe(asksConfirmation);
    texts.push(textOf(result));
    return result;
  };

  beforeAll(async () => {
    // As `--sandbox` starts it: the default seed and size.
    sandbox = await startSandbox({ rateLimit: false });
    const auditStream = new PassThrough();
    auditStream.on('data', (chunk: Buffer) => audit.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    stack = await connectStack(sandbox, {
      client: { name: 'readme-example', version: '1.0.0' },
      guard: { confirmSecret: 'readme-example-secret-0123456789', audit: { stream: auditStream } },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });

  it('calls tools that exist with arguments they take', async () => {
    const { tools } = await stack.client.listTools();
    expect(calls.map((c) => c.tool)).toContain('list_users_with_permission');
    expect(calls.find((c) => c.tool === 'list_users_with_permission')?.args.includeUserGroups).toBe(true);
    for (const { tool, args } of calls) {
      const schema = tools.find((t) => t.name === tool)?.inputSchema;
      expect(schema, tool).toBeDefined();
      expect(
        Object.keys(args).filter((name) => !(name in (schema?.properties ?? {}))),
        tool,
      ).toEqual([]);
    }
  });

  it('quotes what the sandbox answers, and counts holders as it does', async () => {
    const found = (await run('list_users', { search: 'whitfield' })).structuredContent as {
      users: { userId: string }[];
    };
    const userId = found.users[0]?.userId as string;
    await run('get_user', { userId });
    const permissions = (await run('list_permissions', { search: 'compensation' })).structuredContent as {
      permissions: { permissionId: string }[];
    };
    const permissionId = permissions.permissions[0]?.permissionId as string;
    type Holders = { users: { userId: string }[] };
    const all = (await run('list_users_with_permission', { permissionId, includeUserGroups: true }))
      .structuredContent as Holders;
    const direct = (await run('list_users_with_permission', { permissionId })).structuredContent as Holders;
    const preview = await run(
      'assign_permissions_to_users',
      { permissionIds: [permissionId], userIds: [userId] },
      true,
    );
    const confirmation = preview._meta?.['visier-admin-mcp/confirmation'] as { confirmationToken: string } | undefined;
    const token = confirmation?.confirmationToken ?? '';
    expect(token).not.toBe('');
    await run('assign_permissions_to_users', {
      permissionIds: [permissionId],
      userIds: [userId],
      confirmationToken: token,
    });

    expect(quotes.length).toBeGreaterThan(4);
    expect(quotes.filter((quote) => !texts.some((text) => pattern(quote).test(text)))).toEqual([]);
    const counts = /(\d+) users hold it, (\d+) directly and (\d+) through a user group/.exec(example);
    expect(counts?.slice(1).map(Number)).toEqual([
      all.users.length,
      direct.users.length,
      all.users.length - direct.users.length,
    ]);
    expect(all.users.map((u) => u.userId)).not.toContain(userId);
    const records = audit.map((line) => JSON.parse(line) as { tool?: string; decision?: string });
    expect(records).toContainEqual(
      expect.objectContaining({ tool: 'assign_permissions_to_users', decision: 'confirmed' }),
    );
    expect(audit.filter((line) => line.includes(token))).toEqual([]);
  });
});
