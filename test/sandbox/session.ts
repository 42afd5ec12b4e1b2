// Test plumbing for the sandbox suite: log in the way Visier clients do and make calls over real HTTP.
import { afterAll, beforeAll } from 'vitest';
import { type SandboxHandle, type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';

export interface Call {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body when the response is JSON, else undefined. */
  json: unknown;
  bytes: Buffer;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function asidToken(sandbox: SandboxHandle): Promise<string> {
  const { username, password } = sandbox.credentials;
  const res = await fetch(`${sandbox.url}/v1/admin/visierSecureToken`, {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  return res.text();
}

export function oauthRequest(
  sandbox: SandboxHandle,
  form: Record<string, string>,
  overrides: { apiKey?: string; clientSecret?: string } = {},
): Promise<Response> {
  const { apiKey, clientId, clientSecret } = sandbox.credentials;
  return fetch(`${sandbox.url}/v1/auth/oauth2/token`, {
    method: 'POST',
    headers: {
      apikey: overrides.apiKey ?? apiKey,
      authorization: `Basic ${Buffer.from(`${clientId}:${overrides.clientSecret ?? clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams(form),
  });
}

export async function rawCall(
  sandbox: SandboxHandle,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Call> {
  const url = new URL(path, sandbox.url);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  const json = res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, text, json, bytes };
}

/** A logged-in caller: apikey plus the ASID cookie (or a Bearer token when one is given). */
export class Session {
  private constructor(
    readonly sandbox: SandboxHandle,
    private readonly auth: Record<string, string>,
  ) {}

  static async login(sandbox: SandboxHandle): Promise<Session> {
    return new Session(sandbox, { cookie: `VisierASIDToken=${await asidToken(sandbox)}` });
  }

  static bearer(sandbox: SandboxHandle, accessToken: string): Session {
    return new Session(sandbox, { authorization: `Bearer ${accessToken}` });
  }

  call(method: string, path: string, options: CallOptions = {}): Promise<Call> {
    return rawCall(this.sandbox, method, path, {
      ...options,
      headers: { apikey: this.sandbox.credentials.apiKey, ...this.auth, ...(options.headers ?? {}) },
    });
  }

  get(path: string, query?: CallOptions['query'], headers?: Record<string, string>): Promise<Call> {
    return this.call('GET', path, { ...(query ? { query } : {}), ...(headers ? { headers } : {}) });
  }
}

export interface SandboxSuite {
  readonly sandbox: SandboxHandle;
  readonly session: Session;
}

/**
 * One sandbox (rate limits off unless asked) shared by the tests of the file or describe block that calls this,
 * with a logged-in session. Both exist only once the block's tests run, hence getters rather than values.
 */
export function sandboxSuite(options: SandboxOptions): SandboxSuite {
  let sandbox: SandboxHandle | undefined;
  let session: Session | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false, ...options });
    session = await Session.login(sandbox);
  });
  afterAll(() => sandbox?.close());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the suite sandbox is only there while its tests run');
    return value;
  };
  return {
    get sandbox() {
      return started(sandbox);
    },
    get session() {
      return started(session);
    },
  };
}
