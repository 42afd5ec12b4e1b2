// Visier's error body (`Status`, the shape current since 2025-03): every failure the sandbox reports goes
// through here so that status code, code string and rci are always present and consistent.
import { randomUUID } from 'node:crypto';

export interface StatusBody {
  localizedMessage: string;
  code: string;
  /** The spec marks it "Not used"; we repeat the text so a tolerant client reading either field gets it. */
  message: string;
  rci: string;
  userError: boolean;
}

export function newRci(): string {
  return randomUUID();
}

export class StatusError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): StatusBody {
    return statusBody(this.code, this.message, this.status < 500);
  }
}

export function statusBody(code: string, message: string, userError: boolean): StatusBody {
  return { localizedMessage: message, code, message, rci: newRci(), userError };
}

export const badRequest = (message: string) => new StatusError(400, 'InvalidArgument', message);
export const unauthorized = (message: string) => new StatusError(401, 'Unauthenticated', message);
export const notFound = (message: string) => new StatusError(404, 'NotFound', message);
