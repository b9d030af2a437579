import { Button, Space, Tooltip, Typography } from 'antd';
import { useI18n, type MessageKey } from '../../i18n';
import type { VariableInfo } from './api';
import { groupVariables, placeholder } from './variablePicker';

/** The catalogue as buttons grouped by source; a click inserts `{{…}}` into the field being edited. */
export function VariablePicker({
  variables,
  target,
  disabled,
  onPick,
}: {
  variables: VariableInfo[];
  target: string;
  disabled?: boolean;
  onPick: (v: VariableInfo) => void;
}) {
  const { t, lang } = useI18n();
  return (
    <div data-testid="content-picker">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('content.picker.hint')}
      </Typography.Text>
      <div style={{ margin: '6px 0' }}>
        <Typography.Text strong>{t('content.picker.target', { field: target })}</Typography.Text>
      </div>
      {groupVariables(variables).map(([source, vs]) => (
        <div key={source} style={{ marginBottom: 8 }}>
          <Typography.Text type="secondary">{t(`content.picker.source.${source}` as MessageKey)}</Typography.Text>
          <div>
            <Space size={[4, 4]} wrap>
              {vs.map((v) => (
                <Tooltip key={v.key} title={`${placeholder(v)} · ${t('content.picker.max', { n: v.max_length })} · ${v.example}`}>
                  <Button size="small" disabled={disabled} onClick={() => onPick(v)} data-testid={`content-var-${v.key}`}>
                    {lang === 'zh' ? v.name : v.label_en}
                  </Button>
                </Tooltip>
              ))}
            </Space>
          </div>
        </div>
      ))}
    </div>
  );
}
