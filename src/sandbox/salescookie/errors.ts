// The sandbox's one error form. Sales Cookie's error bodies are UNVERIFIED (nothing published); the OData
// service is OData V4, whose JSON error format is `{"error": {"code", "message"}}`, and the REST endpoints are
// given the same form here until a live call shows theirs.

export class SalescookieError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const badRequest = (message: string) => new SalescookieError(400, 'BadRequest', message);
