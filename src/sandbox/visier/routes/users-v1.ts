// Users V1: list, read, create, update and delete. The update is a PUT and replaces the user: omitted fields are
// removed, as Visier states for its other PUTs (reference section 8), so a client that sends partial records fails
// a test instead of a tenant.
import type { Route } from '../context.js';
import { flag, paging } from '../params.js';
import { type UserInclude, userGetDto, userWriteDto } from '../user-dtos.js';
import { userCreateInput, userReplaceInput } from '../user-input.js';

const include = (query: URLSearchParams): UserInclude => ({
  profiles: flag(query, 'assignedProfiles'),
  permissions: flag(query, 'assignedPermissions'),
  userGroups: flag(query, 'assignedUserGroups'),
});

export const usersV1Routes: Route[] = [
  {
    method: 'GET',
    path: '/v1/admin/users',
    handle({ query, tenant }) {
      const { limit, start } = paging(query, 100, 1000);
      const wanted = include(query);
      const users = tenant.users.slice(start, start + limit).map((user) => userGetDto(tenant, user, wanted));
      return { status: 200, json: { users, limit, start } };
    },
  },
  {
    method: 'POST',
    path: '/v1/admin/users',
    handle({ body, tenant, actor }) {
      const user = tenant.addUser(userCreateInput(body));
      tenant.record(actor, 'UserCreated', user.username);
      return { status: 201, json: userWriteDto(user) };
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/users/:userId',
    handle({ query, params, tenant }) {
      const user = tenant.requireUser(params.userId as string);
      return { status: 200, json: userGetDto(tenant, user, include(query)) };
    },
  },
  {
    method: 'PUT',
    path: '/v1/admin/users/:userId',
    handle({ body, params, tenant, actor }) {
      const user = tenant.updateUser(params.userId as string, userReplaceInput(body));
      tenant.record(actor, 'UserUpdated', user.username);
      const { userId: _omit, ...echo } = userWriteDto(user);
      return { status: 200, json: echo };
    },
  },
  {
    // 204 without a body, as Visier's own integration test observes; the spec says 200 {}.
    method: 'DELETE',
    path: '/v1/admin/users/:userId',
    handle({ params, tenant, actor }) {
      const user = tenant.deleteUser(params.userId as string);
      tenant.record(actor, 'UserDeleted', user.username);
      return { status: 204 };
    },
  },
];
