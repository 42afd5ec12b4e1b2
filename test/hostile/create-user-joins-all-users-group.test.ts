// Attack (issue 14, second round): under `--confirm web` an access change happened with no click. create_user was
// classed `write` (a relinked employeeId aside), and a write under the unconfirmed threshold asks nobody, whatever
// `--confirm` says. But a new account is a member of every "all users" group the moment it exists (Visier's
// `includeAllUsers`), and holds what those groups grant: the sandbox's "All Employees" grants "Headcount Viewer".
// So the model could open an account for an address it chose, with the tenant's all-users access, and no person
// was asked. The kind: a user write whose effect changes what a person can use through automatic membership
// (creating accounts one or many at a time, re-enabling one, linking one to an employee record a dynamic filter
// matches). Such a call is `access`: its preview names the groups joined and what they grant, and it waits on the
// page; it stays a `write` only when no such group grants anything.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PendingApprovals } from '../../src/approvals/pending.js';
import type { ImpactPreview } from '../../src/contract/tool.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests, dataRequests, type E2E, e2eSuite, previewCall, textOf } from '../guards/e2e-harness.js';
import { clientFor } from '../visier/harness.js';

const suite = e2eSuite();
let visier: VisierClient;
beforeAll(() => {
  visier = clientFor(suite.sandbox);
});
afterAll(() => visier?.close());

const ALL_EMPLOYEES = DEMO_GROUPS.allEmployees.userGroupId;
const HEADCOUNT = DEMO_PERMISSIONS.headcount;
const ALL_EMPLOYEES_REF = `"${DEMO_GROUPS.allEmployees.displayName}" (${ALL_EMPLOYEES})`;
const HEADCOUNT_REF = `"${HEADCOUNT.displayName}" (${HEADCOUNT.permissionId})`;

/** What a live look at the all-users groups reads: the group definitions (one page) and the permission catalogue. */
const GROUPS_AND_CATALOGUE = ['GET /v1/admin/permissions', 'GET /v2/admin/user-groups'];
const readsOf = (e2e: E2E) =>
  dataRequests(e2e.sandbox)
    .map((r) => `${r.method} ${r.path}`)
    .sort();

/** Runs `call` under `--confirm web`; returns the change waiting on the page (undefined when the call ended first). */
async function onTheDesk(call: (e2e: E2E) => Promise<unknown>, body: (waiting: Waiting, e2e: E2E) => Promise<void>) {
  const desk = new PendingApprovals();
  await suite.withE2E({ guard: { confirm: 'web', approvals: desk, approvalTimeoutMs: 10_000 } }, async (e2e) => {
    let settled = false;
    const ended = call(e2e).finally(() => {
      settled = true;
    });
    // Whichever comes first: the change waiting on the page, or the call ending (checked as events arrive).
    while (desk.list().length === 0 && !settled) await new Promise((resolve) => setImmediate(resolve));
    const waiting = desk.list()[0];
    try {
      await body({ item: waiting, decide: (d) => decide(desk, waiting, d), ended }, e2e);
    } finally {
      // A body that failed before deciding leaves the call waiting: deny it, so the server closes on no call.
      if (desk.list().length > 0) decide(desk, waiting, 'deny');
      await ended.catch(() => undefined);
    }
  });
}

interface Waiting {
  item: ReturnType<PendingApprovals['list']>[number] | undefined;
  decide(decision: 'approve' | 'deny'): void;
  ended: Promise<unknown>;
}

function decide(desk: PendingApprovals, waiting: Waiting['item'], decision: 'approve' | 'deny') {
  if (waiting === undefined) throw new Error('nothing is waiting on the page');
  desk.click(waiting.id, waiting.change.digest, decision, undefined);
}

/** Sets what the all-users group grants for `body`, and puts it back after. */
async function allUsersGranting(permissionIds: string[], body: () => Promise<void>) {
  const before = suite.sandbox.snapshot().userGroups.find((g) => g.userGroupId === ALL_EMPLOYEES)?.permissionIds;
  await visier.updateUserGroups([{ userGroupId: ALL_EMPLOYEES, permissionIds }]);
  try {
    await body();
  } finally {
    await visier.updateUserGroups([{ userGroupId: ALL_EMPLOYEES, permissionIds: [...(before ?? [])] }]);
  }
}

it('create_user under --confirm web waits as access, naming the group and what it grants; a deny sends nothing', async () => {
  await onTheDesk(
    (e2e) => e2e.call('create_user', { username: 'outsider@example.net' }),
    async (waiting, e2e) => {
      expect(waiting.item?.change.classification).toBe('access');
      const shown = waiting.item?.change.lines.join('\n') ?? '';
      expect(shown).toContain(`joins all-users group ${ALL_EMPLOYEES_REF}, gaining ${HEADCOUNT_REF}`);
      // The class rests on the data, so the first look is live: the group definitions and the catalogue, no more.
      expect(readsOf(e2e)).toEqual(GROUPS_AND_CATALOGUE);
      waiting.decide('deny');
      expect(((await waiting.ended) as { isError?: boolean }).isError).toBe(true);
      expect(changeRequests(e2e.sandbox)).toEqual([]);
    },
  );
}, 30_000);

it('create_user approved on the page creates the account, which holds what the all-users group grants', async () => {
  await onTheDesk(
    (e2e) => e2e.call('create_user', { username: 'approved.outsider@example.net' }),
    async (waiting, e2e) => {
      waiting.decide('approve');
      const created = (await waiting.ended) as Awaited<ReturnType<E2E['call']>>;
      expect(created.isError, textOf(created)).toBeFalsy();
      // First look and the re-check after the click, each live; then the one create.
      expect(readsOf(e2e)).toEqual([...GROUPS_AND_CATALOGUE, ...GROUPS_AND_CATALOGUE, 'POST /v1/admin/users'].sort());
      const { user } = created.structuredContent as { user: { userId: string } };
      const read = await e2e.call('get_user', { userId: user.userId });
      expect(JSON.stringify(read.structuredContent)).toContain(HEADCOUNT.displayName);
    },
  );
}, 30_000);

it('bulk_create_users under --confirm web waits as access, the group named once and each account gaining', async () => {
  const users = ['bulk.a@example.net', 'bulk.b@example.net', 'bulk.c@example.net'].map((username) => ({ username }));
  await onTheDesk(
    (e2e) => e2e.call('bulk_create_users', { users }),
    async (waiting, e2e) => {
      expect(waiting.item?.change.classification).toBe('access');
      const lines = waiting.item?.change.lines ?? [];
      expect(lines.filter((l) => l.includes(`gaining ${HEADCOUNT_REF}`))).toHaveLength(users.length);
      expect(lines.filter((l) => l.startsWith(`user-group ${ALL_EMPLOYEES}`))).toEqual([
        `user-group ${ALL_EMPLOYEES} ${ALL_EMPLOYEES_REF.split(' (')[0]} now: members: all users; permissions: ${HEADCOUNT_REF}`,
      ]);
      expect(readsOf(e2e)).toEqual(GROUPS_AND_CATALOGUE);
      waiting.decide('deny');
      await waiting.ended;
      expect(changeRequests(e2e.sandbox)).toEqual([]);
    },
  );
}, 30_000);

it('a privileged grant of the all-users group is flagged: privilegedGrants and an elevated group target', async () => {
  await allUsersGranting([HEADCOUNT.permissionId, DEMO_PERMISSIONS.admin.permissionId], async () => {
    await suite.withE2E({}, async (e2e) => {
      const { preview } = await previewCall(e2e.sandbox, e2e.call, 'create_user', {
        username: 'admin.by.default@x.net',
      });
      expect(preview.classification).toBe('access');
      expect(preview.privilegedGrants).toEqual([DEMO_PERMISSIONS.admin.displayName]);
      const group = preview.targets.find((t) => t.id === ALL_EMPLOYEES) as ImpactPreview['targets'][number];
      expect(group.elevated).toEqual([`every new account gains privileged "${DEMO_PERMISSIONS.admin.displayName}"`]);
    });
  });
}, 30_000);

it('stays a write, with no wait under the threshold, when the all-users group grants nothing', async () => {
  await allUsersGranting([], async () => {
    for (const [tool, args] of [
      ['create_user', { username: 'plain.one@example.net' }],
      [
        'bulk_create_users',
        { users: [{ username: 'plain.two@example.net' }, { username: 'plain.three@example.net' }] },
      ],
    ] as const) {
      await onTheDesk(
        (e2e) => e2e.call(tool, args),
        async (waiting, e2e) => {
          expect(waiting.item).toBeUndefined();
          const done = (await waiting.ended) as Awaited<ReturnType<E2E['call']>>;
          expect(done.isError, textOf(done)).toBeFalsy();
          expect((await e2e.auditLines()).at(-1)).toMatchObject({ tool, classification: 'write', decision: 'allowed' });
          expect(readsOf(e2e)).toEqual(
            [...GROUPS_AND_CATALOGUE, `POST ${changeRequests(e2e.sandbox)[0]?.path}`].sort(),
          );
        },
      );
    }
  });
}, 30_000);

it('an account created disabled stays a write: it can use nothing until enabled, itself an access change', async () => {
  await onTheDesk(
    (e2e) => e2e.call('create_user', { username: 'disabled.hire@example.net', accountEnabled: false }),
    async (waiting, e2e) => {
      expect(waiting.item).toBeUndefined();
      const done = (await waiting.ended) as Awaited<ReturnType<E2E['call']>>;
      expect(done.isError, textOf(done)).toBeFalsy();
      // Nothing it holds could make it access, so no preview is read.
      expect(readsOf(e2e)).toEqual(['POST /v1/admin/users']);
      const { user } = done.structuredContent as { user: { userId: string } };
      await onTheDesk(
        (again) => again.call('update_user', { userId: user.userId, accountEnabled: true }),
        async (reEnable) => {
          expect(reEnable.item?.change.classification).toBe('access');
          reEnable.decide('deny');
          await reEnable.ended;
        },
      );
    },
  );
}, 30_000);

it('update_user re-enabling an account, or linking it to an employee a dynamic filter matches, waits as access', async () => {
  const dana = DEMO_USERS.dana.userId;
  await visier.updateUser(dana, { accountEnabled: false });
  const filter = {
    filters: [
      {
        dimensionFilters: [
          { dimensionId: 'Organization_Hierarchy', memberSelections: [{ namePath: ['Acme', 'Sales'] }] },
        ],
      },
    ],
  };
  const [matched] = await visier.employeesMatching(filter.filters[0] as never);
  expect(matched).toBeDefined();
  await visier.createUserGroups([{ displayName: 'Sales by filter', users: { dynamicFilterDefinition: filter } }]);
  try {
    const calls: [string, Record<string, unknown>, string | undefined][] = [
      ['update_user', { userId: dana, accountEnabled: true }, 'can use again'],
      ['bulk_update_users', { users: [{ userId: dana, accountEnabled: true }] }, 'can use again'],
      ['update_user', { userId: dana, employeeId: matched }, undefined],
    ];
    for (const [tool, args, names] of calls) {
      await onTheDesk(
        (e2e) => e2e.call(tool, args),
        async (waiting, e2e) => {
          expect(waiting.item?.change.classification, `${tool} ${JSON.stringify(args)}`).toBe('access');
          // What the account can use again is named, as a grant's preview names what it gives.
          if (names !== undefined) {
            const shown = waiting.item?.change.lines.join('\n') ?? '';
            expect(shown).toContain(names);
            expect(shown.slice(shown.indexOf(names)).split(';')[0]).toContain(HEADCOUNT_REF);
          }
          waiting.decide('deny');
          await waiting.ended;
          expect(changeRequests(e2e.sandbox)).toEqual([]);
        },
      );
    }
  } finally {
    await visier.updateUser(dana, { accountEnabled: true });
  }
}, 30_000);
