import { App as AntApp, ConfigProvider, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { Suspense } from 'react';
import { RouterProvider } from 'react-router/dom';
import { useI18n } from './i18n';
import { router } from './routes';

const appTheme = {
  algorithm: theme.defaultAlgorithm,
  token: {
    colorPrimary: '#1d4ed8',
    borderRadius: 4,
    fontSize: 13,
    colorBgLayout: '#f3f5f8',
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif",
  },
  components: {
    Layout: { headerBg: '#0f1f3d', headerHeight: 52, headerPadding: '0 20px', siderBg: '#ffffff' },
    Table: { cellPaddingBlockSM: 6 },
    Card: { headerFontSize: 14 },
  },
};

export function App() {
  const { lang } = useI18n();
  dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={appTheme} componentSize="middle">
      <AntApp>
        <Suspense fallback={null}>
          <RouterProvider router={router} />
        </Suspense>
      </AntApp>
    </ConfigProvider>
  );
}
