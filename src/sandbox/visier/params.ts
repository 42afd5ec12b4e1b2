// Query and body field readers that fail the way Visier does: a 400 Status naming the field.
import { badRequest } from '../status-error.js';

export interface PageParams {
  limit: number;
  start: number;
}

export function paging(query: URLSearchParams, defaultLimit: number, maxLimit: number): PageParams {
  return {
    limit: integerParam(query, 'limit', defaultLimit, 1, maxLimit),
    start: integerParam(query, 'start', 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

function integerParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`Query parameter '${name}' must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

export function flag(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw badRequest(`Query parameter '${name}' must be true or false, got '${raw}'`);
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export function arrayField(body: Record<string, unknown>, name: string): unknown[] {
  const value = body[name];
  if (!Array.isArray(value)) throw badRequest(`'${name}' must be an array`);
  return value;
}

export function optionalString(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`'${name}' must be a string`);
  return value;
}

export function stringArray(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw badRequest(`'${name}' must be an array of strings`);
  }
  return value as string[];
}

/** Request DTOs carry accountEnabled as the string "true"/"false"; a JSON boolean is a client bug. */
export function accountEnabledField(record: Record<string, unknown>): boolean | undefined {
  const value = optionalString(record, 'accountEnabled');
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw badRequest(`'accountEnabled' must be "true" or "false", got '${value}'`);
}
