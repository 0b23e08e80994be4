import { describe, expect, it } from 'vitest';
import {
  matchesRequest,
  matchesResponse,
  mergePatch,
  parseHttpRules,
  rewriteHeaders,
  rewriteUrl,
} from '../../../agent/http-rules.js';

const parse = (rules: unknown[], ports = [80]) => parseHttpRules(JSON.stringify(rules), ports);
const request = { port: 80, method: 'get', path: '/api/v1/users', headers: { 'x-chaos': 'on' } };

describe('parseHttpRules', () => {
  it('reads the rule JSON Chaos Mesh marshals', () => {
    const [rule] = parse([
      {
        target: 'Response',
        selector: {
          port: 80,
          path: '/api/**',
          method: 'GET',
          code: 200,
          response_headers: { 'Content-Type': 'x' },
        },
        actions: {
          delay: '1.5s',
          replace: { body: Buffer.from('hi').toString('base64'), headers: { A: 'b' } },
        },
      },
    ]);
    expect(rule).toMatchObject({
      target: 'Response',
      port: 80,
      method: 'GET',
      code: 200,
      delayMs: 1500,
      abort: false,
    });
    expect(rule?.replace?.body?.toString()).toBe('hi');
  });

  it.each([
    [[{ target: 'Both', selector: { port: 80 }, actions: { abort: true } }], 'rules[0].target'],
    [[{ target: 'Request', selector: { port: 81 }, actions: { abort: true } }], 'rules[0].selector.port'],
    [[{ target: 'Request', selector: { port: 80 }, actions: {} }], 'rules[0].actions'],
    [
      [{ target: 'Request', selector: { port: 80, code: 500 }, actions: { abort: true } }],
      'rules[0].selector',
    ],
    [[{ target: 'Request', selector: { port: 80 }, actions: { delay: 'soon' } }], 'rules[0].actions.delay'],
    [
      [{ target: 'Request', selector: { port: 80 }, actions: { replace: { body: '%%' } } }],
      'rules[0].actions.replace.body',
    ],
    [
      [{ target: 'Request', selector: { port: 80 }, actions: { patch: { headers: [['Bad Name', 'x']] } } }],
      'rules[0].actions.patch.headers',
    ],
    [
      [
        {
          target: 'Request',
          selector: { port: 80 },
          actions: { patch: { body: { type: 'JSON', value: '{' } } },
        },
      ],
      'rules[0].actions.patch.body.value',
    ],
  ])('refuses %j naming %s', (rules, field) => {
    expect(() => parse(rules)).toThrow(field);
  });
});

describe('matching', () => {
  it('matches path globs, methods case-insensitively and request headers by name case-insensitively', () => {
    const [glob, segment, header, other] = parse([
      { target: 'Request', selector: { port: 80, path: '/api/**', method: 'GET' }, actions: { abort: true } },
      { target: 'Request', selector: { port: 80, path: '/api/*' }, actions: { abort: true } },
      {
        target: 'Request',
        selector: { port: 80, request_headers: { 'X-Chaos': 'on' } },
        actions: { abort: true },
      },
      { target: 'Request', selector: { port: 80, method: 'POST' }, actions: { abort: true } },
    ]);
    expect(matchesRequest(glob as never, request)).toBe(true);
    expect(matchesRequest(segment as never, request)).toBe(false);
    expect(matchesRequest(header as never, request)).toBe(true);
    expect(matchesRequest(other as never, request)).toBe(false);
  });

  it('matches a response by code and response headers', () => {
    const [rule] = parse([
      {
        target: 'Response',
        selector: { port: 80, code: 500, response_headers: { Server: 'x' } },
        actions: { abort: true },
      },
    ]);
    expect(matchesResponse(rule as never, request, { code: 500, headers: { server: 'x' } })).toBe(true);
    expect(matchesResponse(rule as never, request, { code: 200, headers: { server: 'x' } })).toBe(false);
  });
});

describe('rewriting', () => {
  it('applies a JSON merge patch (RFC 7396)', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { d: null, e: 4 }, f: [1] })).toEqual({
      a: 1,
      b: { c: 2, e: 4 },
      f: [1],
    });
  });

  it('replaces path and queries, appends patched queries', () => {
    expect(
      rewriteUrl(
        '/a?x=1',
        { path: '/b', queries: { x: '2' }, headers: {} },
        { queries: [['y', '3']], headers: [] },
      ),
    ).toBe('/b?x=2&y=3');
  });

  it('sets replaced headers and appends patched ones', () => {
    expect(
      rewriteHeaders(
        { a: '1', b: '2' },
        { queries: {}, headers: { A: 'x' } },
        { queries: [], headers: [['B', '3']] },
      ),
    ).toEqual({
      a: 'x',
      b: ['2', '3'],
    });
  });
});
