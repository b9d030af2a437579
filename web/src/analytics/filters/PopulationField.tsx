import { Select, Tooltip } from 'antd';
import type { Population } from '../../api/analytics';
import { useI18n } from '../../i18n';
import { Field } from '../common';

/** 分析人群: known customers only, or every user with a user ID (shown only to users who see the whole bank). */
export function PopulationField({ value, onChange }: { value: Population; onChange: (next: Population) => void }) {
  const { t } = useI18n();
  return (
    <Field label={<Tooltip title={t('pop.hint')}><span>{t('pop.label')}</span></Tooltip>}>
      <Select<Population>
        value={value}
        onChange={onChange}
        style={{ width: 132 }}
        data-testid="an-population"
        options={[
          { value: 'customers', label: t('pop.customers') },
          { value: 'all_users', label: t('pop.allUsers') },
        ]}
      />
    </Field>
  );
}
