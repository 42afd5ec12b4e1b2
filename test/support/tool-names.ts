// The tool catalogue written out rather than read from src/tools, so a tool that appears, disappears or
// changes classification fails the tests that list tools.

/** Every tool the read-only mode lists. */
export const READ_TOOLS = [
  'find_users',
  'get_report',
  'get_user',
  'get_user_group',
  'list_permissions',
  'list_user_group_members',
  'list_user_groups',
  'list_users',
  'list_users_with_permission',
];

const CHANGE_TOOLS = [
  'add_users_to_group',
  'assign_permissions_to_group',
  'assign_permissions_to_users',
  'bulk_create_users',
  'bulk_delete_users',
  'bulk_update_users',
  'create_user',
  'create_user_groups',
  'delete_user',
  'delete_user_groups',
  'remove_permissions_from_group',
  'remove_permissions_from_users',
  'remove_users_from_group',
  'update_user',
  'update_user_groups',
];

/** Every tool, sorted as `names.sort()` sorts them. */
export const CATALOGUE = [...READ_TOOLS, ...CHANGE_TOOLS].sort();
