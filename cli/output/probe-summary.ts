/** One line saying what a probe checks, for `chaosflow plan`. */
import type { PlanProbe, PlanValueCriteria } from '../../common/plan.js';

export function probeSummary(probe: PlanProbe): string {
  switch (probe.type) {
    case 'HTTP': {
      const { method, url, criteria } = probe.http;
      const { min, max } = criteria.statusCode;
      const extra = [
        criteria.body ? 'a body check' : '',
        criteria.maxResponseMs === undefined ? '' : `under ${criteria.maxResponseMs} ms`,
      ].filter(Boolean);
      return `${method} ${url} expects ${min === max ? min : `${min}-${max}`}${extra.length ? `, ${extra.join(', ')}` : ''}`;
    }
    case 'Command':
      return `runs ${probe.command.argv.join(' ')}, expects exit ${probe.command.exitCode}${criteriaText(probe.command.stdout, ' and stdout')}`;
    case 'Prometheus':
      return `queries ${probe.prometheus.query}${criteriaText(probe.prometheus.criteria, ', expects')}`;
    case 'Kubernetes': {
      const k = probe.kubernetes;
      const what = `${k.resource}${k.name ? `/${k.name}` : k.labelSelector ? ` ${k.labelSelector}` : ''}`;
      return k.expect === 'field' && k.field
        ? `reads ${what}, expects ${k.field.path}${criteriaText(k.field, '')}`
        : `expects ${what} ${k.expect}`;
    }
  }
}

function criteriaText(c: PlanValueCriteria | undefined, prefix: string): string {
  if (!c) return '';
  const parts = [
    c.equals === undefined ? '' : `= ${JSON.stringify(c.equals)}`,
    c.contains === undefined ? '' : `contains ${JSON.stringify(c.contains)}`,
    c.matches === undefined ? '' : `~ /${c.matches}/`,
    c.compare ? `${c.compare.op} ${c.compare.value}` : '',
    c.between ? `in ${c.between.min}..${c.between.max}` : '',
  ].filter(Boolean);
  return parts.length ? `${prefix} ${parts.join(' and ')}` : '';
}
