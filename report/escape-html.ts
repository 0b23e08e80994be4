/**
 * Escaping for the HTML report and its SVG timeline: every string that reaches the page (template names, targets,
 * probe values, errors: all of them come from manifests or the systems under test) goes through here.
 */
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Markup characters, and control characters (not allowed in HTML text: shown as U+FFFD). */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[&<>"']|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Text and attribute values (always double-quoted by the renderers). */
export function escapeHtml(value: string | number): string {
  return String(value).replace(UNSAFE, (c) => ENTITIES[c] ?? '\ufffd');
}
