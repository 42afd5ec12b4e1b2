// The endpoints: the REST writes under /app/Api (key in the X-ApiKey header, JSON body) and the read-only
// OData service under /app/odata/<apiKey>/ (key in the path). Paths and bodies as in the reference, Part B.
import type { Faults } from '../faults.js';
import { ENTITY_SETS } from './entities.js';
import { badRequest, SalescookieError } from './errors.js';
import { queryEntitySet } from './odata.js';
import { ROLES, type Role, type Workspace } from './workspace.js';

export interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body of a POST. */
  body: unknown;
  workspace: Workspace;
  faults: Faults;
}

export interface Answer {
  status: number;
  json: unknown;
}

export const API_PREFIX = '/app/Api/';
export const ODATA_PREFIX = '/app/odata/';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Expected a JSON object');
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  return value;
}

function guid(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || !GUID.test(value)) throw badRequest(`${field} must be a GUID`);
  return value.toLowerCase();
}

function setUser(x: Exchange): Answer {
  const body = object(x.body);
  const emailAddress = optionalString(body, 'emailAddress');
  if (!emailAddress || !EMAIL.test(emailAddress)) throw badRequest('emailAddress is required and must be an e-mail');
  const role = body.role;
  if (!ROLES.includes(role as Role)) throw badRequest(`role must be one of ${ROLES.join(', ')}`);
  // Per-item failures for bulk tests: the e-mails the fault pattern names fail as a server error would.
  if (x.faults.bulkItemFails(emailAddress)) throw new SalescookieError(500, 'Internal', 'An error has occurred.');
  const input = { emailAddress, role: role as Role };
  for (const field of ['firstName', 'lastName', 'tags', 'aliases'] as const) {
    const value = optionalString(body, field);
    if (value !== undefined) Object.assign(input, { [field]: value });
  }
  const { user } = x.workspace.setUser(input);
  // The reply is UNVERIFIED; this is the third-party layer's user record, which clients must not rely on.
  return {
    status: 200,
    json: {
      id: user.workspaceRoleId,
      systemUserId: user.id,
      emailAddress: user.emailAddress,
      firstName: user.firstName,
      lastName: user.lastName,
      role: user.role,
      tags: user.tags.join('|'),
      aliases: user.aliases.map((a) => a.name).join('|'),
    },
  };
}

function teamMember(x: Exchange, add: boolean): Answer {
  const body = object(x.body);
  const systemUserId = guid(body, 'systemUserId');
  const teamId = guid(body, 'teamId');
  if (add) return { status: 200, json: { ...x.workspace.addMember(systemUserId, teamId) } };
  x.workspace.removeMember(systemUserId, teamId);
  return { status: 200, json: { systemUserId, teamId } };
}

const REST: Record<string, (x: Exchange) => Answer> = {
  SetUser: setUser,
  CreateTeamMember: (x) => teamMember(x, true),
  DeleteTeamMember: (x) => teamMember(x, false),
};

/** A REST call; `name` is the path after /app/Api/. */
export function restCall(name: string, x: Exchange): Answer {
  const handler = REST[name];
  if (!handler) throw new SalescookieError(404, 'NotFound', `No API at ${x.path}`);
  if (x.method !== 'POST') throw new SalescookieError(405, 'MethodNotAllowed', `${x.method} is not supported`);
  return handler(x);
}

/** An OData entity-set read; `serviceRoot` is the key-bearing URL, as OData's context URLs are absolute. */
export function odataCall(entity: string, serviceRoot: string, x: Exchange): Answer {
  const rows = ENTITY_SETS[entity];
  if (!rows) throw new SalescookieError(404, 'NotFound', `Resource not found for the segment '${entity}'`);
  if (x.method !== 'GET') throw new SalescookieError(405, 'MethodNotAllowed', 'The OData API is read-only');
  return { status: 200, json: queryEntitySet(rows(x.workspace), x.query, serviceRoot, entity) };
}
