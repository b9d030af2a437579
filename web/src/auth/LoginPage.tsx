import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { errorMessage, fieldErrors, isApiError } from '../api/errors';
import { useT } from '../i18n';
import { LangSwitch } from '../layout/LangSwitch';
import { Logo } from '../layout/Logo';
import { useAuth } from './context';

interface LoginForm {
  username: string;
  password: string;
}

function redirectTarget(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('/login') ? from : '/';
}

export default function LoginPage() {
  const t = useT();
  const { login, status } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [form] = Form.useForm<LoginForm>();
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (status === 'ready') return <Navigate to={redirectTarget(location.state)} replace />;

  const onFinish = async (values: LoginForm) => {
    setSubmitting(true);
    setError(null);
    try {
      await login(values.username.trim(), values.password);
      navigate(redirectTarget(location.state), { replace: true });
    } catch (err) {
      const byField = fieldErrors(err);
      const fields = (['username', 'password'] as const).filter((f) => byField[f]);
      if (fields.length) {
        form.setFields(fields.map((f) => ({ name: f, errors: byField[f] })));
      } else {
        setError(isApiError(err) && err.status === 429 ? errorMessage(err, t) || t('common.error.tooMany') : errorMessage(err, t));
      }
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="mf-login">
      <div className="mf-login-lang">
        <LangSwitch />
      </div>
      <div className="mf-login-card">
        <div className="mf-login-brand">
          <Logo size={40} />
          <div>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('app.name')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('login.subtitle')}</Typography.Text>
          </div>
        </div>
        <Typography.Title level={5} style={{ marginTop: 8 }}>
          {t('login.title')}
        </Typography.Title>
        {error && (
          <Alert
            type="error"
            showIcon
            title={t('login.failed')}
            description={error}
            style={{ marginBottom: 16 }}
            data-testid="login-error"
          />
        )}
        <Form<LoginForm>
          form={form}
          layout="vertical"
          requiredMark={false}
          onFinish={onFinish}
          autoComplete="on"
          size="large"
        >
          <Form.Item
            name="username"
            label={t('login.username')}
            rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}
          >
            <Input
              prefix={<UserOutlined />}
              autoComplete="username"
              autoFocus
              data-testid="login-username"
            />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('login.password')}
            rules={[{ required: true, message: t('login.passwordRequired') }]}
          >
            <Input.Password
              prefix={<LockOutlined />}
              autoComplete="current-password"
              data-testid="login-password"
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" className="mf-login-footer">
          {t('login.footer')}
        </Typography.Paragraph>
      </div>
    </div>
  );
}
