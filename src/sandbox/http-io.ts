// Reading requests and writing replies with node:http alone: bodies, cookies, Basic credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from './status-error.js';

/** Larger than any legitimate admin call (100 users per bulk request), small enough to refuse abuse. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is still read to the end (and dropped), so the client receives the 413 instead of
  // a connection reset while it is still sending.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw new StatusError(413, 'PayloadTooLarge', 'Request body is too large');
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new StatusError(400, 'InvalidArgument', 'Request body is not valid JSON');
  }
}

export function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function bearer(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** Visier's Python SDK URL-encodes the secret before Basic encoding, so both forms are accepted. */
export function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const percentDecode = (value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  };
  return { id: percentDecode(decoded.slice(0, colon)), secret: percentDecode(decoded.slice(colon + 1)) };
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  xlsx?: { body: Buffer; filename: string };
}

export function send(res: ServerResponse, reply: Reply): void {
  if (reply.xlsx) {
    res.writeHead(reply.status, {
      'Content-Type': 'application/vnd.ms-excel',
      'Content-Disposition': `attachment; filename="${reply.xlsx.filename}"`,
      'Content-Length': reply.xlsx.body.length,
    });
    res.end(reply.xlsx.body);
    return;
  }
  if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(reply.text);
    return;
  }
  if (reply.json === undefined) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  const body = JSON.stringify(reply.json);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
