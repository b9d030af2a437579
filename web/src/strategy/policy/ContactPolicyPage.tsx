import { Alert, Card, Tabs } from 'antd';
import { useAuth } from '../../auth/context';
import { PageHeader } from '../../common/PageHeader';
import { useT } from '../../i18n';
import { PERM_POLICY_EDIT } from './api';
import { CheckTab } from './CheckTab';
import { DncTab, OptOutsTab, SuppressionsTab } from './ListTabs';
import { RulesTab } from './RulesTab';
import { ControlTab, QuietTab } from './SettingsTabs';

/** 策略中心 → 触达策略: caps, quiet hours, do-not-contact list, control group, opt-outs, suppressions, dry run. */
export default function ContactPolicyPage() {
  const t = useT();
  const { me } = useAuth();
  const canEdit = !!me?.permissions.includes(PERM_POLICY_EDIT);
  return (
    <>
      <PageHeader title={t('policy.title')} subtitle={t('policy.subtitle')} />
      {!canEdit && <Alert type="info" showIcon title={t('policy.readonly')} style={{ marginBottom: 12 }} />}
      <Card variant="borderless" className="mf-card">
        <Tabs
          items={[
            { key: 'rules', label: t('policy.tab.rules'), children: <RulesTab canEdit={canEdit} /> },
            { key: 'quiet', label: t('policy.tab.quiet'), children: <QuietTab canEdit={canEdit} /> },
            { key: 'dnc', label: t('policy.tab.dnc'), children: <DncTab /> },
            { key: 'control', label: t('policy.tab.control'), children: <ControlTab canEdit={canEdit} /> },
            { key: 'optouts', label: t('policy.tab.optOuts'), children: <OptOutsTab /> },
            { key: 'suppressions', label: t('policy.tab.suppressions'), children: <SuppressionsTab /> },
            { key: 'check', label: t('policy.tab.check'), children: <CheckTab /> },
          ]}
        />
      </Card>
    </>
  );
}
