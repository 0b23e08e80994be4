/**
 * Chaos Mesh's DNSChaos `patterns`: a domain name where `?` stands for one character and a `*` may only end the
 * pattern (any rest); no pattern means every name. Names compare case-insensitively, without the final dot.
 * Checked before anything runs (INVALID_ARGUMENT naming `patterns[i]`); pure.
 */
import picomatch from 'picomatch';
import { AgentError } from './agent-error.js';

const PATTERN = /^[a-z0-9?_-]+(\.[a-z0-9?_-]+)*(\.?\*)?$|^\*$/;

export type NameMatcher = (name: string) => boolean;

export function checkPatterns(patterns: readonly string[]): string[] {
  return patterns.map((raw, i) => {
    const pattern = raw.toLowerCase().replace(/\.$/, '');
    if (pattern.length > 253 || !PATTERN.test(pattern)) {
      throw new AgentError(
        'INVALID_ARGUMENT',
        `patterns[${i}] ${JSON.stringify(raw.slice(0, 80))} is not a DNSChaos pattern: a domain name with ? for ` +
          'one character and at most one * at the end (chaos-mesh.*, github.?om)',
        { field: `patterns[${i}]` },
      );
    }
    return pattern;
  });
}

/** Matches a queried name against checked patterns (none: every name). */
export function nameMatcher(patterns: readonly string[]): NameMatcher {
  if (patterns.length === 0) return () => true;
  const tests = patterns.map((p) => picomatch(p, { dot: true, nocase: true }));
  return (name) => {
    const normal = name.toLowerCase().replace(/\.$/, '');
    return tests.some((t) => t(normal));
  };
}
