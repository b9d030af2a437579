import { Select } from 'antd';
import type { Role } from '../api/types';
import { useI18n } from '../i18n';

/** A role picker showing each role's name in the console language with its id (a Form.Item control). */
export function RoleSelect({ roles, testId, ...rest }: { roles: Role[]; testId: string; id?: string; value?: string; onChange?: (v: string) => void }) {
  const { lang } = useI18n();
  return (
    <Select
      {...rest}
      options={roles.map((r) => ({ value: r.id, label: `${lang === 'en' ? r.name_en || r.name : r.name} (${r.id})` }))}
      data-testid={testId}
    />
  );
}
