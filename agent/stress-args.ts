/**
 * The stressor strings of ExecStressors, turned into stress-ng argv with a strict tokenizer (no shell is ever
 * involved, and on top of that only stress-ng option tokens pass):
 * - tokens are separated by spaces or tabs; any other control character is rejected;
 * - a token is an option (`--cpu`, `-c`, `--cpu-load=50`) or a plain value (`4`, `50%`, `sqrt`, `1G`), made of
 *   letters, digits and `. _ % : , + -`; shell metacharacters, quotes, slashes (paths) and `=` inside
 *   values are refused;
 * - options that read or write files (`--job`, `--log-file`, `--yaml`, `--temp-path`, ...) or make stress-ng
 *   exit without stressing (`--help`, `--version`, `--dry-run`) are refused.
 *
 * `memoryStressors` is in memStress syntax (what Chaos Mesh's controller builds: `--workers N --size S`), which
 * the agent translates to stress-ng's vm stressor: see `memStressToStressNg`.
 */
import { AgentError } from './agent-error.js';

const OPTION = /^(?:-[A-Za-z]|--[a-z][a-z0-9-]*)(?:=[A-Za-z0-9._%:,+-]+)?$/;
const VALUE = /^[A-Za-z0-9._%:,+-]+$/;
const FORBIDDEN_OPTIONS = new Set([
  // Informational options make stress-ng exit without stressing anything.
  '--help',
  '-h',
  '--version',
  '-V',
  '--dry-run',
  '--query',
  '-q',
  // Options that read or write files.
  '--job',
  '-j',
  '--log-file',
  '--yaml',
  '-Y',
  '--temp-path',
  '--stressors',
  '--exec',
  '--exec-ops',
]);
const MAX_TOKENS = 64;
const MAX_LENGTH = 1024;

function invalid(field: string, why: string): AgentError {
  return new AgentError('INVALID_ARGUMENT', `${field} is not a valid stress-ng argument list: ${why}`, {
    field,
  });
}

/** Splits and checks a stress-ng argument string; an empty string gives no arguments. */
export function parseStressNgArgs(field: string, text: string): string[] {
  if (text.length > MAX_LENGTH) throw invalid(field, `longer than ${MAX_LENGTH} characters`);
  if (/[^\x20-\x7e\t]/.test(text)) throw invalid(field, 'it contains a control or non-ASCII character');
  const tokens = text.split(/[ \t]+/).filter(Boolean);
  if (tokens.length > MAX_TOKENS) throw invalid(field, `more than ${MAX_TOKENS} tokens`);
  tokens.forEach((token, i) => {
    const shown = JSON.stringify(token.slice(0, 40));
    if (token.startsWith('-') && !/^-\d/.test(token)) {
      if (!OPTION.test(token)) throw invalid(field, `${shown} is not a stress-ng option`);
      const name = token.split('=')[0] as string;
      if (FORBIDDEN_OPTIONS.has(name))
        throw invalid(field, `${name} is not allowed (it exits at once or uses files)`);
    } else {
      if (i === 0) throw invalid(field, `it must start with an option, not ${shown}`);
      if (!VALUE.test(token))
        throw invalid(field, `${shown} contains characters a stress-ng value cannot have`);
    }
  });
  return tokens;
}

const SIZE = /^(\d+)(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB|%)?$/i;

/**
 * memStress options to stress-ng: `--workers N` -> `--vm N`, `--size S` -> `--vm-bytes S` (units mapped to
 * stress-ng's k/m/g/t, which are binary, so 256MB means 256 MiB here), and `--vm-hang 0` so each worker keeps
 * its memory until cancelled, as memStress does. memStress's `--time` (ramp-up time) has no stress-ng
 * equivalent and is refused, as is anything else.
 */
export function memStressToStressNg(field: string, text: string): string[] {
  const tokens = parseStressNgArgs(field, text);
  let workers = '1';
  let size: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const [name, inline] = (tokens[i] as string).split('=');
    const value = inline ?? tokens[++i];
    if (value === undefined) throw invalid(field, `${name} needs a value`);
    if (name === '--workers') {
      if (!/^\d{1,4}$/.test(value) || Number(value) < 1) throw invalid(field, `--workers must be 1-9999`);
      workers = value;
    } else if (name === '--size') {
      const match = SIZE.exec(value);
      if (!match) throw invalid(field, `--size ${JSON.stringify(value)} is not a size such as 256MB or 50%`);
      const unit = (match[2] ?? 'B').toUpperCase();
      size = unit === '%' ? `${match[1]}%` : `${match[1]}${unit === 'B' ? 'B' : unit.charAt(0)}`;
    } else {
      throw invalid(
        field,
        `${name} is not supported (memoryStressors takes memStress's --workers and --size)`,
      );
    }
  }
  return ['--vm', workers, ...(size ? ['--vm-bytes', size] : []), '--vm-hang', '0'];
}
