import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { ensureBuilt } from '../e2e/build.js';
import { type RedisHandle, startRedis } from '../support/redis-server.js';
import { type Replica, startReplica, stopReplica } from './replica-stack.js';

// What a load balancer or Kubernetes reads: liveness stays up while Redis is down, readiness fails with the reason.

let redis: RedisHandle;
let sandbox: SandboxHandle;
let replica: Replica;

beforeAll(async () => {
  ensureBuilt();
  [redis, sandbox] = await Promise.all([startRedis(), startSandbox({ rateLimit: false })]);
  replica = await startReplica(sandbox, ['--redis-url', redis.url]);
}, 120_000);

afterAll(async () => {
  await stopReplica(replica, 'SIGTERM');
  await sandbox?.close();
  await redis?.kill();
});

it('/healthz/ready answers 200 while Redis answers and 503 saying so, without its error, once it is gone; /healthz stays 200', async () => {
  const health = (path: string) => fetch(replica.url.replace('/mcp', path));
  const up = await health('/healthz/ready');
  expect(up.status).toBe(200);
  expect(await up.json()).toEqual({ status: 'ok', ready: true, sessions: 0, store: { reachable: true } });

  await redis.kill();
  // An answer stands for a second: probes do not each cost a round trip to Redis.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const down = await health('/healthz/ready');
  expect(down.status).toBe(503);
  // Unauthenticated: Redis's own error (hosts, ports) goes to the log, not here.
  expect(await down.json()).toEqual({
    status: 'ok',
    ready: false,
    sessions: 0,
    store: { reachable: false, reason: 'redis: down' },
  });
  const live = await health('/healthz');
  expect(live.status).toBe(200);
  expect(await live.json()).toMatchObject({ ready: false, store: { reachable: false } });
}, 60_000);
