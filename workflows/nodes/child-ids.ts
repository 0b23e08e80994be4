/**
 * Node ids are paths of template names (`entry/step/net-delay`), so the same template used in two places gives
 * two nodes. A template listed twice under one parent gets `#2`, `#3`, ... on its later uses.
 */
export function childIds(parentId: string, children: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return children.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return `${parentId}/${name}${n > 1 ? `#${n}` : ''}`;
  });
}
