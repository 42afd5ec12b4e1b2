/**
 * A person an OAuth 2.1 authorization server vouched for: the `iss` and `sub` claims of a validated access token
 * for this server (RFC 9068 §2.2). `issuer` + `subject` identify the person; `email` is display text, present only
 * when the issuer said it verified it (`email_verified`), and untrusted even then: fenced wherever shown.
 */
export interface Person {
  issuer: string;
  subject: string;
  email?: string;
}

/** The stable key of a person: budgets, tokens, approvals and audit lines are bound to it. */
export function personKey(person: Pick<Person, 'issuer' | 'subject'>): string {
  return `oauth:${person.issuer}#${person.subject}`;
}

// Longer than any real address (RFC 5321 allows 254): past it a claim is no e-mail, and no token fills a line.
const MAX_EMAIL = 320;

/** The e-mail a token's claims give, when the issuer says it verified it; otherwise none is shown for anyone. */
export function verifiedEmail(claims: Readonly<Record<string, unknown>>): string | undefined {
  const { email } = claims;
  return claims.email_verified === true && typeof email === 'string' && email !== '' && email.length <= MAX_EMAIL
    ? email
    : undefined;
}

/**
 * How a person is shown to another person: always by subject and issuer, which no two people share, after the
 * verified e-mail a reader recognises: `dana@example.com (subject dana at idp.example.com)`. A name or an
 * unverified e-mail is a claim a person may set to anything, another's included, so it is never shown.
 */
export function personLabel(person: Person): string {
  let host = person.issuer;
  try {
    host = new URL(person.issuer).host;
  } catch {
    // An issuer that is not a URL is shown as it is.
  }
  const who = `subject ${person.subject} at ${host}`;
  return person.email === undefined ? who : `${person.email} (${who})`;
}
