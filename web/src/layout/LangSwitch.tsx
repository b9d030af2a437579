import { GlobalOutlined } from '@ant-design/icons';
import { Button, Tooltip } from 'antd';
import { useI18n } from '../i18n';

/** Toggles between 中文 and English; the label names the language you switch to. */
export function LangSwitch({ dark = false }: { dark?: boolean }) {
  const { lang, setLang, t } = useI18n();
  const next = lang === 'zh' ? 'en' : 'zh';
  return (
    <Tooltip title={t('lang.label')}>
      <Button
        type="text"
        size="small"
        icon={<GlobalOutlined />}
        onClick={() => setLang(next)}
        data-testid="lang-switch"
        className={dark ? 'mf-header-btn' : undefined}
      >
        {t(next === 'en' ? 'lang.en' : 'lang.zh')}
      </Button>
    </Tooltip>
  );
}
