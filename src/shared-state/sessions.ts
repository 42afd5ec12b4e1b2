import type { InitializeRequestParams, JSONRPCMessage } from '@modelcontextprotocol/server';
import type { Mode } from '../guards/guard.js';

// 2025-era MCP sessions as replicas share them (`--redis-url`): what any replica needs to serve a session another
// replica opened, and a way to hand a session's messages to the replica holding what they answer.

/** A 2025-era session as recorded when its initialize arrived. */
export interface SessionRecord {
  /**
   * Who opened it: a digest of the principal (never the principal itself) and the mode their token's scopes
   * granted, checked on every replica before the session is served.
   */
  owner: { principal: string; scopeMode?: Mode };
  /** The initialize request's params as the client sent them: clientInfo, capabilities (elicitation), version. */
  initialize: InitializeRequestParams;
  /** The version the server answered with, once it has. */
  protocolVersion?: string;
  /** Epoch milliseconds. */
  created: number;
  /** Epoch milliseconds of the last request any replica received for it. */
  lastActive: number;
}

/** What travels between replicas on a session's channel. */
export type SessionSignal =
  /** A client's message answering (or cancelling) what another replica holds. */
  | { kind: 'message'; message: JSONRPCMessage }
  /** The client ended the session (DELETE): every replica closes its copy. */
  | { kind: 'ended' };

/**
 * Where replicas record sessions. Session ids are stored and published as digests. Every method rejects with
 * `StoreUnavailableError` when the store does not answer.
 */
export interface SharedSessions {
  /** Records the new session `id` for `idleMs` milliseconds. */
  save(id: string, record: SessionRecord, idleMs: number): Promise<void>;
  /**
   * Adds the version the server answered initialize with to the record of `id`, when it is still recorded (the
   * client may have ended it already: that is not undone).
   */
  settle(id: string, protocolVersion: string): Promise<void>;
  /** The record of `id`, its lifetime renewed to `idleMs` and `lastActive` set to `now`; undefined when unknown. */
  use(id: string, idleMs: number, now: number): Promise<SessionRecord | undefined>;
  /** Renews the lifetime of the sessions `ids` still recorded to `idleMs` (a replica's busy or streaming ones). */
  keep(ids: string[], idleMs: number): Promise<void>;
  /** Forgets session `id`; true when it was recorded. */
  remove(id: string): Promise<boolean>;
  /** Sends `signal` to every replica listening on session `id`; resolves with how many were. */
  publish(id: string, signal: SessionSignal): Promise<number>;
  /**
   * Calls `onSignal` with what is published on session `id` from the moment this resolves, until the returned
   * function is called.
   */
  listen(id: string, onSignal: (signal: SessionSignal) => void): Promise<() => Promise<void>>;
}
