/**
 * The rules of ApplyHttpChaos as Chaos Mesh's controller marshals them (`PodHttpChaosBaseRule` JSON:
 * `target`, `selector` {port, path, method, code, request_headers, response_headers}, `actions` {abort, delay,
 * replace {path, method, code, body (base64), queries, headers}, patch {body {type: JSON, value}, queries
 * [[k, v]], headers [[k, v]]}}), checked completely before anything runs (INVALID_ARGUMENT naming
 * `rules[i].<field>`), and the pure parts of applying them: which rules match a request or a response, and what
 * each action turns them into. Pure; the proxy (`http-fault-proxy.ts`) does the I/O.
 *
 * Matching, as Chaos Mesh's tproxy: every given selector field must match; `path` is a glob over the URL's
 * path (picomatch: `*` within a segment, `**` across segments), `method` is compared case-insensitively,
 * header values exactly (names case-insensitively), `code` and `response_headers` only on a response.
 * Every matching rule applies, in order; within a rule: delay, then abort, then replace, then patch.
 */
import picomatch from 'picomatch';
import { parseGoDuration } from '../common/duration.js';
import { AgentError } from './agent-error.js';

export type HttpTarget = 'Request' | 'Response';

export interface HttpRule {
  readonly target: HttpTarget;
  readonly port: number;
  readonly path: string | undefined;
  readonly method: string | undefined;
  readonly code: number | undefined;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly responseHeaders: Readonly<Record<string, string>>;
  readonly abort: boolean;
  readonly delayMs: number;
  readonly replace: HttpReplace | undefined;
  readonly patch: HttpPatch | undefined;
}

export interface HttpReplace {
  readonly path?: string;
  readonly method?: string;
  readonly code?: number;
  /** Decoded from base64. */
  readonly body?: Buffer;
  readonly queries: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

export interface HttpPatch {
  /** A JSON merge patch (RFC 7396) applied to a JSON body. */
  readonly jsonBody?: unknown;
  readonly queries: readonly (readonly [string, string])[];
  readonly headers: readonly (readonly [string, string])[];
}

const bad = (field: string, why: string): AgentError =>
  new AgentError('INVALID_ARGUMENT', `${field} ${why}`, { field });

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const HEADER_VALUE = /^[\t\x20-\x7e]{0,1024}$/;

function stringMap(
  field: string,
  value: unknown,
  check: (k: string, v: string) => void,
): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw bad(field, 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw bad(`${field}.${k}`, 'must be a string');
    check(k, v);
    out[k] = v;
  }
  return out;
}

function pairs(field: string, value: unknown, check: (k: string, v: string) => void): [string, string][] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(field, 'must be a list of [name, value] pairs');
  return value.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((p) => typeof p === 'string')) {
      throw bad(`${field}[${i}]`, 'must be a [name, value] pair of strings');
    }
    const [k, v] = pair as [string, string];
    check(k, v);
    return [k, v];
  });
}

const headerCheck =
  (field: string) =>
  (k: string, v: string): void => {
    if (!TOKEN.test(k))
      throw bad(`${field}`, `has a header name ${JSON.stringify(k.slice(0, 40))} that HTTP does not allow`);
    if (!HEADER_VALUE.test(v))
      throw bad(`${field}.${k}`, 'must be printable ASCII of at most 1,024 characters');
  };
const anyCheck = (): void => undefined;

function code(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || (value as number) < 100 || (value as number) > 599) {
    throw bad(field, 'must be an HTTP status code 100-599');
  }
  return value as number;
}

function text(field: string, value: unknown, pattern?: RegExp): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || (pattern && !pattern.test(value))) throw bad(field, 'is not valid');
  return value;
}

/** Parses and checks the request's `rules` JSON; every rule's port must be one of `proxyPorts`. */
export function parseHttpRules(rulesJson: string, proxyPorts: readonly number[]): HttpRule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rulesJson || '[]');
  } catch (err) {
    throw bad('rules', `is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw bad('rules', 'must be a JSON list of rules');
  return parsed.map((raw, i): HttpRule => {
    const field = `rules[${i}]`;
    if (!isObject(raw)) throw bad(field, 'must be an object');
    const target = raw['target'];
    if (target !== 'Request' && target !== 'Response')
      throw bad(`${field}.target`, 'must be Request or Response');
    const selector = isObject(raw['selector']) ? raw['selector'] : {};
    const actions = isObject(raw['actions']) ? raw['actions'] : {};
    const port = selector['port'];
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      throw bad(`${field}.selector.port`, 'must be the port 1-65535 the rule intercepts');
    }
    if (!proxyPorts.includes(port as number)) {
      throw bad(
        `${field}.selector.port`,
        `${String(port)} is not one of proxy_ports (${proxyPorts.join(', ')})`,
      );
    }
    const path = text(`${field}.selector.path`, selector['path'], /^[\x21-\x7e]{1,1024}$/);
    if (path !== undefined) {
      try {
        picomatch.makeRe(path);
      } catch {
        throw bad(`${field}.selector.path`, 'is not a glob');
      }
    }
    const delay = text(`${field}.actions.delay`, actions['delay']);
    const delayMs = delay === undefined ? 0 : parseGoDuration(delay);
    if (delayMs === undefined || delayMs < 0 || delayMs > 3_600_000) {
      throw bad(`${field}.actions.delay`, 'must be a Go duration such as 500ms, at most 1h');
    }
    const abort = actions['abort'];
    if (abort !== undefined && abort !== null && typeof abort !== 'boolean') {
      throw bad(`${field}.actions.abort`, 'must be true or false');
    }
    const rule: HttpRule = {
      target,
      port: port as number,
      path,
      method: text(`${field}.selector.method`, selector['method'], TOKEN)?.toUpperCase(),
      code: code(`${field}.selector.code`, selector['code']),
      requestHeaders: stringMap(
        `${field}.selector.request_headers`,
        selector['request_headers'],
        headerCheck(`${field}.selector.request_headers`),
      ),
      responseHeaders: stringMap(
        `${field}.selector.response_headers`,
        selector['response_headers'],
        headerCheck(`${field}.selector.response_headers`),
      ),
      abort: abort === true,
      delayMs,
      replace: parseReplace(`${field}.actions.replace`, actions['replace']),
      patch: parsePatch(`${field}.actions.patch`, actions['patch']),
    };
    if (target === 'Request' && (rule.code !== undefined || Object.keys(rule.responseHeaders).length > 0)) {
      throw bad(`${field}.selector`, 'code and response_headers need target Response');
    }
    if (!rule.abort && rule.delayMs === 0 && !rule.replace && !rule.patch) {
      throw bad(`${field}.actions`, 'has no action: set abort, delay, replace or patch');
    }
    return rule;
  });
}

function parseReplace(field: string, value: unknown): HttpReplace | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw bad(field, 'must be an object');
  const body = value['body'];
  if (body !== undefined && (typeof body !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(body))) {
    throw bad(`${field}.body`, 'must be base64 (the bytes of the body, as Chaos Mesh marshals them)');
  }
  const path = text(`${field}.path`, value['path'], /^\/[\x21-\x7e]{0,1023}$/);
  const method = text(`${field}.method`, value['method'], TOKEN);
  const replaceCode = code(`${field}.code`, value['code']);
  return {
    ...(path !== undefined ? { path } : {}),
    ...(method !== undefined ? { method: method.toUpperCase() } : {}),
    ...(replaceCode !== undefined ? { code: replaceCode } : {}),
    ...(typeof body === 'string' ? { body: Buffer.from(body, 'base64') } : {}),
    queries: stringMap(`${field}.queries`, value['queries'], anyCheck),
    headers: stringMap(`${field}.headers`, value['headers'], headerCheck(`${field}.headers`)),
  };
}

function parsePatch(field: string, value: unknown): HttpPatch | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw bad(field, 'must be an object');
  let jsonBody: unknown;
  const body = value['body'];
  if (body !== undefined && body !== null) {
    if (!isObject(body) || body['type'] !== 'JSON' || typeof body['value'] !== 'string') {
      throw bad(`${field}.body`, 'must be { type: JSON, value: <a JSON merge patch> }');
    }
    try {
      jsonBody = JSON.parse(body['value']);
    } catch {
      throw bad(`${field}.body.value`, 'is not JSON');
    }
  }
  return {
    ...(jsonBody !== undefined ? { jsonBody } : {}),
    queries: pairs(`${field}.queries`, value['queries'], anyCheck),
    headers: pairs(`${field}.headers`, value['headers'], headerCheck(`${field}.headers`)),
  };
}

/** The request side of a message a rule looks at. */
export interface RequestView {
  readonly port: number;
  readonly method: string;
  /** The URL's path, without the query. */
  readonly path: string;
  /** Lower-case names (as Node gives them). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface ResponseView {
  readonly code: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

function headersMatch(
  wanted: Readonly<Record<string, string>>,
  actual: Readonly<Record<string, string | string[] | undefined>>,
): boolean {
  return Object.entries(wanted).every(([name, value]) => {
    const got = actual[name.toLowerCase()];
    return Array.isArray(got) ? got.includes(value) : got === value;
  });
}

const globs = new Map<string, (path: string) => boolean>();
function pathMatches(glob: string, path: string): boolean {
  let test = globs.get(glob);
  if (!test) {
    test = picomatch(glob, { dot: true });
    globs.set(glob, test);
  }
  return test(path);
}

export function matchesRequest(rule: HttpRule, request: RequestView): boolean {
  return (
    rule.port === request.port &&
    (rule.path === undefined || pathMatches(rule.path, request.path)) &&
    (rule.method === undefined || rule.method === request.method.toUpperCase()) &&
    headersMatch(rule.requestHeaders, request.headers)
  );
}

export function matchesResponse(rule: HttpRule, request: RequestView, response: ResponseView): boolean {
  return (
    matchesRequest(rule, request) &&
    (rule.code === undefined || rule.code === response.code) &&
    headersMatch(rule.responseHeaders, response.headers)
  );
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** A body with a merge patch applied; a body that is not JSON is replaced by the patch applied to nothing. */
export function patchJsonBody(body: Buffer, patch: unknown): Buffer {
  let current: unknown;
  try {
    current = JSON.parse(body.toString('utf8'));
  } catch {
    current = undefined;
  }
  return Buffer.from(JSON.stringify(mergePatch(current, patch)));
}

/** The URL (path and query) after a rule's replace and patch of path and queries. */
export function rewriteUrl(
  url: string,
  replace: HttpReplace | undefined,
  patch: HttpPatch | undefined,
): string {
  const parsed = new URL(url, 'http://target');
  if (replace?.path !== undefined) parsed.pathname = replace.path;
  for (const [k, v] of Object.entries(replace?.queries ?? {})) parsed.searchParams.set(k, v);
  for (const [k, v] of patch?.queries ?? []) parsed.searchParams.append(k, v);
  return `${parsed.pathname}${parsed.search}`;
}

/** Headers after a rule's replace (set) and patch (append) of headers; names lower-cased. */
export function rewriteHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  replace: HttpReplace | undefined,
  patch: HttpPatch | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = v;
  for (const [k, v] of Object.entries(replace?.headers ?? {})) out[k.toLowerCase()] = v;
  for (const [k, v] of patch?.headers ?? []) {
    const name = k.toLowerCase();
    const seen = out[name];
    out[name] = seen === undefined ? v : [...(Array.isArray(seen) ? seen : [seen]), v];
  }
  return out;
}
