/**
 * A person an OAuth 2.1 authorization server vouched for: the `iss` and `sub` claims of a validated access token
 * (RFC 9068 §2.2) or ID token (OpenID Connect Core §2), plus what they say to show a human. `issuer` + `subject`
 * identify the person; `email` and `name` are display text (untrusted: fenced wherever shown).
 */
export interface Person {
  issuer: string;
  subject: string;
  email?: string;
  name?: string;
}

/** The stable key of a person: budgets, tokens, approvals and audit lines are bound to it. */
export function personKey(person: Pick<Person, 'issuer' | 'subject'>): string {
  return `oauth:${person.issuer}#${person.subject}`;
}

/** How a person is shown to another person: e-mail when known, else the subject, with the issuer's host. */
export function personLabel(person: Person): string {
  const who = person.email ?? person.name ?? person.subject;
  let host = person.issuer;
  try {
    host = new URL(person.issuer).host;
  } catch {
    // An issuer that is not a URL is shown as it is.
  }
  return `${who} (${host})`;
}
