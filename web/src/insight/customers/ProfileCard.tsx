import { CheckOutlined, CloseOutlined, EyeInvisibleOutlined, EyeOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Space, Tag, Tooltip } from 'antd';
import type { DescriptionsProps } from 'antd';
import type { Consent, CustomerProfile } from '../../api/types';
import { formatDate, formatMoney, orDash } from '../../common/format';
import { useI18n } from '../../i18n';
import { birthText } from './birth';
import { genderLabel } from './labels';

const CONSENT_ORDER = ['sms', 'push', 'inbox', 'wechat', 'email', 'call'];

function ConsentTags({ consent }: { consent: Consent | null }) {
  const { t, tv } = useI18n();
  if (!consent) return <>—</>;
  const keys = [
    ...CONSENT_ORDER.filter((k) => k in consent),
    ...Object.keys(consent).filter((k) => !CONSENT_ORDER.includes(k)),
  ];
  if (!keys.length) return <>—</>;
  return (
    <Space size={[4, 4]} wrap data-testid="customer-consent">
      {keys.map((k) => {
        const on = consent[k] === true;
        return (
          <Tooltip key={k} title={on ? t('detail.consentOn') : t('detail.consentOff')}>
            <Tag
              color={on ? 'green' : 'default'}
              icon={on ? <CheckOutlined /> : <CloseOutlined />}
              data-consent={`${k}:${on ? 'on' : 'off'}`}
            >
              {tv('channel', k)}
            </Tag>
          </Tooltip>
        );
      })}
    </Space>
  );
}

export function ProfileCard({
  profile,
  canUnmask,
  unmaskRequested,
  loading,
  onUnmask,
  onRemask,
}: {
  profile: CustomerProfile;
  canUnmask: boolean;
  unmaskRequested: boolean;
  loading: boolean;
  onUnmask: () => void;
  onRemask: () => void;
}) {
  const { t, tv, lang } = useI18n();
  const region = [profile.province, profile.city].filter(Boolean).join(' ');

  const items: DescriptionsProps['items'] = [
    { key: 'id', label: t('detail.f.customerId'), children: <span className="mf-mono">{profile.customer_id}</span> },
    { key: 'name', label: t('detail.f.name'), children: orDash(profile.name) },
    { key: 'gender', label: t('detail.f.gender'), children: genderLabel(lang, profile.gender) },
    { key: 'age', label: t('detail.f.age'), children: orDash(profile.age) },
    { key: 'birth', label: t('detail.f.birthDate'), children: birthText(profile, t) },
    { key: 'phone', label: t('detail.f.phone'), children: <span className="mf-num">{orDash(profile.phone)}</span> },
    { key: 'idno', label: t('detail.f.idNumber'), children: <span className="mf-num">{orDash(profile.id_number)}</span> },
    { key: 'email', label: t('detail.f.email'), children: orDash(profile.email) },
    { key: 'region', label: t('detail.f.region'), children: orDash(region) },
    { key: 'occupation', label: t('detail.f.occupation'), children: orDash(profile.occupation) },
    { key: 'income', label: t('detail.f.incomeBand'), children: orDash(profile.income_band) },
    { key: 'risk', label: t('detail.f.riskLevel'), children: orDash(profile.risk_level) },
    { key: 'tier', label: t('detail.f.tier'), children: profile.tier ? <Tag>{profile.tier}</Tag> : '—' },
    {
      key: 'aum',
      label: t('detail.f.aum'),
      children: <strong className="mf-num">{formatMoney(profile.aum)}</strong>,
    },
    { key: 'open', label: t('detail.f.openDate'), children: formatDate(profile.open_date) },
    {
      key: 'channel',
      label: t('detail.f.channel'),
      children: profile.acquisition_channel ? tv('channel', profile.acquisition_channel) : '—',
    },
    {
      key: 'org',
      label: t('detail.f.org'),
      children: (
        <span>
          {orDash(profile.org_name)}
          {profile.org_code && <span className="mf-mono"> ({profile.org_code})</span>}
        </span>
      ),
    },
    { key: 'rm', label: t('detail.f.rm'), children: orDash(profile.rm_name) },
    {
      key: 'lifecycle',
      label: t('detail.f.lifecycle'),
      children: profile.lifecycle ? tv('lifecycle', profile.lifecycle) : '—',
    },
    { key: 'consent', label: t('detail.f.consent'), span: 'filled', children: <ConsentTags consent={profile.consent} /> },
  ];

  const extra = (
    <Space>
      <Tag color={profile.masked ? 'default' : 'orange'}>
        {profile.masked ? t('detail.masked') : t('detail.unmasked')}
      </Tag>
      {canUnmask &&
        (unmaskRequested ? (
          <Button size="small" icon={<EyeInvisibleOutlined />} onClick={onRemask} loading={loading}>
            {t('detail.remask')}
          </Button>
        ) : (
          <Button size="small" icon={<EyeOutlined />} onClick={onUnmask} loading={loading} data-testid="unmask-pii">
            {t('detail.unmask')}
          </Button>
        ))}
    </Space>
  );

  return (
    <Card title={t('detail.profile')} extra={extra} size="small" className="mf-card" data-testid="customer-profile">
      <Descriptions
        size="small"
        bordered
        column={{ xxl: 4, xl: 3, lg: 3, md: 2, sm: 1, xs: 1 }}
        items={items}
        styles={{ label: { width: 110, whiteSpace: 'nowrap' } }}
      />
    </Card>
  );
}
