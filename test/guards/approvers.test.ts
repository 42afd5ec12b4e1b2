// The approvers policy as an operator writes it: parsed with its errors naming the part and the rule, and how many
// people a change needs by class (privileged access changes apart) and by tenant.
import { describe, expect, it } from 'vitest';
import { approvalClassOf, approversPolicy, approversRequired, approversSummary } from '../../src/guards/approvers.js';

const parse = (text: string) => approversPolicy.parse(text);
const issue = (text: string) => approversPolicy.safeParse(text).error?.issues[0]?.message;

describe('--approvers', () => {
  it('pairs for every tenant, or sections per tenant with * for the others', () => {
    expect(parse('access=1,privileged=2,destructive=2')).toEqual({ '*': { access: 1, privileged: 2, destructive: 2 } });
    expect(parse('acme:access=2,destructive=2;*:access=1')).toEqual({
      acme: { access: 2, destructive: 2 },
      '*': { access: 1 },
    });
  });

  it('refuses, naming the part and the rule', () => {
    expect(issue('access=2,admin=3')).toMatch(
      /^'admin=3' is not CLASS=N with CLASS one of write, access, privileged, destructive/,
    );
    expect(issue('access=two')).toMatch(/^'access=two' needs a whole number of people from 0 to 9/);
    expect(issue('access=1,access=2')).toMatch(/^'access=2' sets access a second time for \*/);
    expect(issue('acme:access=1;acme:access=2')).toMatch(/^'acme:access=2' names tenant acme a second time/);
    expect(issue(':access=1')).toMatch(/names no tenant before its colon/);
    expect(issue('access=10')).toMatch(/from 0 to 9/);
  });

  it('counts by class: privileged falls back to access, a tenant section to *; the most guarded tenant wins', () => {
    const policy = parse('acme:destructive=3;*:access=1,privileged=2');
    expect(approversRequired(policy, ['other'], 'access')).toBe(1);
    expect(approversRequired(policy, ['other'], 'privileged')).toBe(2);
    expect(approversRequired(policy, ['acme'], 'privileged')).toBe(2);
    expect(approversRequired(policy, ['other'], 'destructive')).toBeUndefined();
    expect(approversRequired(policy, ['other', 'acme'], 'destructive')).toBe(3);
    expect(approversRequired(parse('access=2'), ['any'], 'privileged')).toBe(2);
    expect(approversRequired(undefined, ['any'], 'access')).toBeUndefined();
    expect(approversSummary(policy)).toEqual({ most: 3, pageClasses: ['destructive', 'access'] });
  });

  it('an access change is privileged when its preview grants a privileged permission', () => {
    expect(approvalClassOf('access', { privilegedGrants: ['Admin (Full Access)'] })).toBe('privileged');
    expect(approvalClassOf('access', { privilegedGrants: [] })).toBe('access');
    expect(approvalClassOf('destructive', { privilegedGrants: ['Admin'] })).toBe('destructive');
  });
});
