// The User and Group Management API's endpoints. Users are chosen by the `HTTP-X-EMAIL` header, groups by
// name in the path; every write honours `test_mode=true` by validating and answering without storing.
import type { Reply } from '../http-io.js';
import { groupCreateBody, groupUpdateBody, parseBody, userCreateBody, userUpdateBody } from './bodies.js';
import { invalid, notFound, SisenseStatusError } from './errors.js';
import { pageOf } from './paging.js';
import type { GroupRecord, SiteState, UserRecord } from './site-state.js';

export interface SisenseRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The `HTTP-X-EMAIL` header. */
  email: string | undefined;
  body: unknown;
  site: SiteState;
  pageSize: number;
}

const USERS = '/api/v1/users';
const GROUPS = '/api/v1/groups';

export function route(req: SisenseRequest): Reply {
  const path = req.path.replace(/\/+$/, '');
  if (path === USERS) return users(req);
  if (path === GROUPS) return groups(req);
  if (path.startsWith(`${GROUPS}/`) && !path.slice(GROUPS.length + 1).includes('/')) {
    return group(req, decodeURIComponent(path.slice(GROUPS.length + 1)));
  }
  throw notFound(`No API at ${req.path}`);
}

function users(req: SisenseRequest): Reply {
  const dryRun = testMode(req.query);
  const { site } = req;
  switch (req.method) {
    case 'GET': {
      if (req.email !== undefined) return { status: 200, json: { user: userOut(site.user(req.email)) } };
      const page = pageOf(site.users.values(), req.query.get('next_page_start'), req.pageSize);
      return { status: 200, json: { ...pageFields(page), users: page.items.map(userOut) } };
    }
    case 'POST': {
      const user = site.createUser(parseBody(userCreateBody, req.body), dryRun);
      return written(dryRun, dryRun ? 200 : 201, { user: userOut(user) });
    }
    case 'PUT': {
      const patch = parseBody(userUpdateBody, req.body);
      return written(dryRun, 200, { user: userOut(site.updateUser(requiredEmail(req), patch, dryRun)) });
    }
    case 'DELETE':
      return written(dryRun, 200, { user: userOut(site.deleteUser(requiredEmail(req), dryRun)) });
    default:
      throw notAllowed(req);
  }
}

function groups(req: SisenseRequest): Reply {
  const dryRun = testMode(req.query);
  if (req.method === 'GET') {
    const page = pageOf(req.site.groups.values(), req.query.get('next_page_start'), req.pageSize);
    return { status: 200, json: { ...pageFields(page), groups: page.items.map(groupOut) } };
  }
  if (req.method !== 'POST') throw notAllowed(req);
  const input = parseBody(groupCreateBody, req.body);
  const created = req.site.createGroup({ ...input, created_by_email: input.created_by_email ?? '' }, dryRun);
  return written(dryRun, dryRun ? 200 : 201, { group: groupOut(created) });
}

function group(req: SisenseRequest, name: string): Reply {
  const dryRun = testMode(req.query);
  switch (req.method) {
    case 'GET':
      return { status: 200, json: { group: groupOut(req.site.group(name)) } };
    case 'PUT': {
      const { updated_by_email: _by, ...patch } = parseBody(groupUpdateBody, req.body);
      return written(dryRun, 200, { group: groupOut(req.site.updateGroup(name, patch, dryRun)) });
    }
    case 'DELETE': {
      const deleted = req.site.deleteGroup(name, dryRun);
      // The vendor's example reads only the status of a group deletion: no body.
      return dryRun ? written(true, 200, { group: groupOut(deleted) }) : { status: 204 };
    }
    default:
      throw notAllowed(req);
  }
}

/** `test_mode` as the examples write it (`true`, `False`); absent is a real write. */
function testMode(query: URLSearchParams): boolean {
  const raw = query.get('test_mode');
  if (raw === null) return false;
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(`test_mode: must be true or false, got '${raw}'`);
}

function written(dryRun: boolean, status: number, json: Record<string, unknown>): Reply {
  return { status, json: dryRun ? { test_mode: true, ...json } : json };
}

function requiredEmail(req: SisenseRequest): string {
  if (req.email === undefined || req.email.trim() === '') throw invalid('HTTP-X-EMAIL: header is required');
  return req.email;
}

function notAllowed(req: SisenseRequest): SisenseStatusError {
  return new SisenseStatusError(405, 'method_not_allowed', `${req.method} is not supported on ${req.path}`);
}

function pageFields(page: { next_page_start: string | null; items_this_page: number }) {
  return { next_page_start: page.next_page_start, items_this_page: page.items_this_page };
}

function userOut(user: UserRecord) {
  const { id, email, first_name, last_name, groups, invited_by_email, created_at } = user;
  return { id, email, first_name, last_name, groups, invited_by_email, created_at };
}

function groupOut(group: GroupRecord) {
  const { id, name, access, created_by_email, created_at } = group;
  return { id, name, access, created_by_email, created_at };
}
