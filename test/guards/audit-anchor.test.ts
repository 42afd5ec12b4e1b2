import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { expect, it } from 'vitest';
import { createAuditAnchor } from '../../src/guards/index.js';

const checkpoint = (lines: number) => ({
  lines,
  head: 'a'.repeat(64),
  sig: 'sig',
  key: '0123456789abcdef',
  publicKey: 'MCowBQYDK2VwAyEA',
});

it('a failing webhook is counted and logged without its secret, and never throws into the call', async () => {
  const bodies: string[] = [];
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      bodies.push(body);
      res.statusCode = 503;
      res.end();
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const logged: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) });
  const url = `http://user:pw-secret@127.0.0.1:${(sink.address() as AddressInfo).port}/hook?token=q-secret`;
  const anchor = createAuditAnchor(url, '/var/state/audit.jsonl', logger);
  try {
    // Three in a row while the first is under way: the newest waiting one replaces the one before.
    for (const n of [1, 2, 3]) anchor.send(checkpoint(n));
    await anchor.close();
  } finally {
    await new Promise((resolve) => sink.close(resolve));
  }
  expect(anchor.stats).toEqual({ sent: 0, failed: 2 });
  expect(bodies.map((b) => (JSON.parse(b) as { lines: number }).lines)).toEqual([1, 3]);
  expect(JSON.parse(bodies[0] as string)).toMatchObject({
    type: 'visier-admin-mcp/audit-checkpoint',
    log: 'audit.jsonl',
    lines: 1,
    key: '0123456789abcdef',
    publicKey: 'MCowBQYDK2VwAyEA',
  });
  expect(logged).toHaveLength(2);
  expect(logged.join('')).toContain('HTTP 503');
  expect(logged.join('')).not.toMatch(/secret/);
});

it('an unreachable webhook fails within its timeout and is counted', async () => {
  const sink = createServer();
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const port = (sink.address() as AddressInfo).port;
  await new Promise((resolve) => sink.close(resolve));
  const anchor = createAuditAnchor(`http://127.0.0.1:${port}/`, 'audit.jsonl');
  anchor.send(checkpoint(1));
  await anchor.close();
  expect(anchor.stats).toEqual({ sent: 0, failed: 1 });
});
