import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createClient } from 'redis';
import { RedisStore } from '../../src/shared-state/redis-store.js';

// A real Redis for the replica tests: Debian's redis-server (`.ci/run` installs it), on a free loopback port,
// with nothing persisted.

export interface RedisHandle {
  url: string;
  port: number;
  /** Ends the server at once, as a crash would (SIGKILL). */
  kill(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `port`: the port of one killed earlier, to bring Redis back where replicas reconnect to it (empty, as after a crash). */
export async function startRedis(port?: number): Promise<RedisHandle> {
  port ??= await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return { url: `redis://127.0.0.1:${port}`, port, kill: () => killed(child) };
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A plain client, to read what the stores wrote (createClient's own inferred type). */
const rawClient = (url: string) => createClient({ url });

/** What two replicas see of one real Redis: a store each, and a plain client to read what they wrote. */
export interface TwoReplicaStores {
  redis: RedisHandle;
  a: RedisStore;
  b: RedisStore;
  raw: ReturnType<typeof rawClient>;
  /** Closes the connections, then kills the server. */
  close(): Promise<void>;
}

export async function twoReplicaStores(): Promise<TwoReplicaStores> {
  const redis = await startRedis();
  const a = await RedisStore.connect(redis.url);
  const b = await RedisStore.connect(redis.url);
  const raw = rawClient(redis.url);
  await raw.connect();
  return {
    redis,
    a,
    b,
    raw,
    close: async () => {
      await Promise.all([a.close(), b.close(), raw.close()]);
      await redis.kill();
    },
  };
}
