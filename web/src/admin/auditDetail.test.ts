import { describe, expect, it } from 'vitest';
import { detailFields, knownActions, targetText, valueText } from './auditDetail';

const yesNo = (b: boolean) => (b ? '是' : '否');

describe('audit detail', () => {
  it('offers the known actions by their Chinese names', () => {
    const actions = knownActions('zh');
    expect(actions.find((a) => a.value === 'dashboard.create')?.label).toBe('创建看板');
    expect(actions.find((a) => a.value === 'monitor.metric.delete')?.label).toBe('删除指标');
    expect(knownActions('en').find((a) => a.value === 'dashboard.create')?.label).toBe('Create dashboard');
  });

  it('names the object by its name, by its id only when no name was recorded', () => {
    const type = (t: string) => ({ dashboard: '看板' })[t] ?? t;
    expect(targetText({ target_type: 'dashboard', target_id: '1', detail: { name: '经营日报' } }, type)).toBe('看板 · 经营日报');
    expect(targetText({ target_type: 'dashboard', target_id: '1', detail: {} }, type)).toBe('看板 · #1');
    expect(targetText({ target_type: null, target_id: null, detail: null }, type)).toBe('');
  });

  it('shows 详情 as readable fields, not JSON', () => {
    const field = (k: string) => ({ accepted: '成功', shared: '共享', org_codes: '机构' })[k] ?? k;
    expect(detailFields({ name: 'x', accepted: 3, shared: true, org_codes: ['GD', 'ZJ'] }, field, yesNo)).toEqual([
      ['成功', '3', 'accepted'],
      ['共享', '是', 'shared'],
      ['机构', 'GD、ZJ', 'org_codes'],
    ]);
    expect(valueText({ k: 3, on: false }, yesNo)).toBe('k: 3；on: 否');
    expect(valueText([], yesNo)).toBe('—');
  });

  it('names coded values (analysis model, rule condition, severity) instead of showing the code', () => {
    const names: Record<string, string> = { 'an.model.funnel': '漏斗分析', 'mal.severity.critical': '严重' };
    const valueName = (prefix: string, raw: string) => names[`${prefix}.${raw}`] ?? raw;
    const field = (k: string) => k;
    expect(detailFields({ model: 'funnel', severity: 'critical', key: 'fund_count' }, field, yesNo, { valueName }))
      .toEqual([
        ['model', '漏斗分析', 'model'],
        ['severity', '严重', 'severity'],
        ['key', 'fund_count', 'key'],
      ]);
  });
});
