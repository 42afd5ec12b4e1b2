// Fault injection: which request gets which failure. Decided before a request is handled, so a faulted
// request never changes state (per-item bulk failures are the exception, applied by the bulk handlers).
import type { FaultController, FaultKind, FaultRule, FaultSpec } from './handle.js';
import type { Prng } from './prng.js';

const KINDS: readonly FaultKind[] = [
  '429',
  '500',
  '502',
  '503',
  '504',
  'drop',
  'timeout',
  'malformed',
  'lost-response',
];

/**
 * The CLI / string form of a FaultSpec: comma-separated items, each one of
 *   latency=MS              added latency on every response, in milliseconds
 *   bulk-fail=REGEX         V2 bulk items whose username (create) or userId (update, delete) match fail
 *   KIND[:OPTION]...        a rule; KIND is 429|500|502|503|504|drop|timeout|malformed|lost-response and OPTION is
 *                           skip=N (let the first N matches through), count=N (next N matches, then
 *                           retire), rate=P (probability 0..1, seeded),
 *                           method=GET|POST|..., path=REGEX (matched against the URL path)
 * e.g. `latency=5,429:count=3,503:rate=0.05:path=^/v1/admin/users,bulk-fail=^fail`.
 * `path=` takes the rest of its item, so a path regex may contain ':' but must come last; no regex may
 * contain ','.
 */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: FaultSpec = {};
  const rules: FaultRule[] = [];
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (item.startsWith('latency=')) {
      spec.latencyMs = nonNegativeInteger(item.slice('latency='.length), 'latency');
    } else if (item.startsWith('bulk-fail=')) {
      spec.bulkItemFailurePattern = regexSource(item.slice('bulk-fail='.length), 'bulk-fail');
    } else {
      rules.push(parseRule(item));
    }
  }
  if (rules.length > 0) spec.rules = rules;
  return spec;
}

function parseRule(item: string): FaultRule {
  const [kind, ...options] = item.split(':');
  if (!KINDS.includes(kind as FaultKind)) {
    throw new Error(`Unknown fault kind '${kind}' in '${item}'; expected one of ${KINDS.join(', ')}`);
  }
  const rule: FaultRule = { kind: kind as FaultKind };
  for (let i = 0; i < options.length; i++) {
    const option = options[i] as string;
    const eq = option.indexOf('=');
    const key = option.slice(0, eq);
    if (key === 'path') {
      rule.path = regexSource([option.slice(eq + 1), ...options.slice(i + 1)].join(':'), 'path');
      break;
    }
    const value = option.slice(eq + 1);
    if (key === 'skip') rule.skip = nonNegativeInteger(value, 'skip');
    else if (key === 'count') rule.count = nonNegativeInteger(value, 'count');
    else if (key === 'rate') rule.rate = probability(value);
    else if (key === 'method') rule.method = value.toUpperCase();
    else throw new Error(`Unknown fault option '${option}' in '${item}'; expected skip, count, rate, method or path`);
  }
  return rule;
}

function nonNegativeInteger(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Fault ${name} must be a non-negative integer, got '${value}'`);
  return n;
}

function probability(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new Error(`Fault rate must be between 0 and 1, got '${value}'`);
  return n;
}

function regexSource(value: string, name: string): string {
  try {
    new RegExp(value);
  } catch {
    throw new Error(`Fault ${name} is not a valid regular expression: '${value}'`);
  }
  return value;
}

interface ActiveRule {
  rule: FaultRule;
  path?: RegExp;
  /** Matching requests still to let through. */
  skipping: number;
  remaining: number;
}

export class Faults implements FaultController {
  private spec: FaultSpec = {};
  private active: ActiveRule[] = [];
  private bulkPattern: RegExp | undefined;

  constructor(
    private readonly prng: Prng,
    initial?: FaultSpec | string,
  ) {
    if (initial) this.set(initial);
  }

  set(spec: FaultSpec | string): void {
    const parsed = typeof spec === 'string' ? parseFaultSpec(spec) : structuredClone(spec);
    for (const rule of parsed.rules ?? []) {
      if (!KINDS.includes(rule.kind)) throw new Error(`Unknown fault kind '${rule.kind}'`);
      if (rule.path !== undefined) regexSource(rule.path, 'path');
    }
    this.spec = parsed;
    this.active = (parsed.rules ?? []).map((rule) => ({
      rule,
      ...(rule.path !== undefined ? { path: new RegExp(rule.path) } : {}),
      skipping: rule.skip ?? 0,
      remaining: rule.count ?? Number.POSITIVE_INFINITY,
    }));
    this.bulkPattern =
      parsed.bulkItemFailurePattern !== undefined ? new RegExp(parsed.bulkItemFailurePattern) : undefined;
  }

  clear(): void {
    this.set({});
  }

  /** The spec in force; a counted rule shows how many applications it has left. */
  current(): FaultSpec {
    const copy = structuredClone(this.spec);
    const live = this.active.filter((active) => active.remaining > 0);
    if (copy.rules) {
      copy.rules = live.map(({ rule, remaining, skipping }) => {
        const { skip: _skip, ...shown } = rule;
        return {
          ...shown,
          ...(skipping > 0 ? { skip: skipping } : {}),
          ...(Number.isFinite(remaining) ? { count: remaining } : {}),
        };
      });
    }
    return copy;
  }

  get latencyMs(): number {
    return this.spec.latencyMs ?? 0;
  }

  /** The fault for this request, if a rule fires; the first rule that fires wins. */
  pick(method: string, path: string): FaultKind | undefined {
    for (const active of this.active) {
      if (active.remaining <= 0) continue;
      if (active.rule.method && active.rule.method.toUpperCase() !== method) continue;
      if (active.path && !active.path.test(path)) continue;
      if (active.skipping > 0) {
        active.skipping--;
        continue;
      }
      if (active.rule.rate !== undefined && this.prng() >= active.rule.rate) continue;
      active.remaining--;
      return active.rule.kind;
    }
    return undefined;
  }

  bulkItemFails(key: string): boolean {
    return this.bulkPattern?.test(key) ?? false;
  }
}
