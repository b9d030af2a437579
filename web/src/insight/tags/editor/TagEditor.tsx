/** 标签定义编辑器: name, key, family, owner org, description and the rule (form or raw JSON); saving makes a version. */
import { Alert, App, Button, Col, Drawer, Form, Input, Row as GridRow, Segmented, Select, Skeleton, Space, Tabs, Typography } from 'antd';
import { useMemo, useRef, useState } from 'react';
import { errorMessage, serverFieldErrors } from '../../../api/errors';
import { segmentsApi, tagsApi, type TagFamily, type TagKind, type TagRead, type TagRule } from '../../../api/insight';
import { OrgTreeSelect } from '../../../admin/OrgTreeSelect';
import { useCatalogue } from '../../../analytics/common';
import { useAuth } from '../../../auth/context';
import { ErrorAlert } from '../../../common/ErrorAlert';
import { useApi } from '../../../common/useApi';
import { useI18n, type MessageKey } from '../../../i18n';
import type { EditorContext } from '../../segments/ConditionEditor';
import { errorsByField, tidyMessage } from './fields';
import { Row, type FieldErrors } from './parts';
import { RuleForm } from './RuleForm';
import { SavedPane } from './SavedPane';
import {
  FAMILIES,
  KIND_FAMILY,
  KINDS,
  defaultRule,
  fromRule,
  headerIssues,
  parseRuleJson,
  ruleIssues,
  ruleJson,
  toDefinition,
  type RuleIssue,
} from './rules';

interface Header {
  key: string;
  name: string;
  family: TagFamily;
  description: string;
  owner_org: string;
}

/** The editor in a drawer: a new tag (no `tag`) or a new version of `tag`. `onDone` gets the saved tag. */
export function TagEditor({ open, tag, onClose, onDone }: { open: boolean; tag?: TagRead; onClose: () => void; onDone: (saved: TagRead) => void }) {
  const { t } = useI18n();
  const { modal } = App.useApp();
  // Unsaved edits are not dropped by a stray click outside the drawer.
  const dirty = useRef(false);
  const close = () => {
    if (!dirty.current) {
      onClose();
      return;
    }
    modal.confirm({
      title: t('tagEditor.discard.title'),
      content: t('tagEditor.discard.body'),
      okText: t('tagEditor.discard.ok'),
      cancelText: t('tagEditor.discard.keep'),
      okButtonProps: { danger: true, 'data-testid': 'tag-discard-ok' } as never,
      onOk: () => {
        dirty.current = false;
        onClose();
      },
    });
  };
  return (
    <Drawer
      open={open}
      onClose={close}
      size={980}
      destroyOnHidden
      title={tag ? t('tagEditor.editTitle', { name: tag.name }) : t('tagEditor.newTitle')}
      data-testid="tag-editor"
    >
      {open && (
        <EditorBody
          tag={tag}
          onClose={close}
          onDone={(saved) => {
            dirty.current = false;
            onDone(saved);
          }}
          onDirty={(d) => (dirty.current = d)}
        />
      )}
    </Drawer>
  );
}

function EditorBody({
  tag,
  onClose,
  onDone,
  onDirty,
}: {
  tag?: TagRead;
  onClose: () => void;
  onDone: (saved: TagRead) => void;
  onDirty: (dirty: boolean) => void;
}) {
  const { t, tv } = useI18n();
  const { me } = useAuth();
  const catalogue = useCatalogue();
  const segments = useApi((signal) => segmentsApi.list(signal), []);
  const lists = useApi((signal) => segmentsApi.lists(signal), []);
  const [current, setCurrent] = useState<TagRead | undefined>(tag);
  const creating = current === undefined;
  const [header, setHeader] = useState<Header>(() => ({
    key: tag?.key ?? '',
    name: tag?.name ?? '',
    family: (tag?.family as TagFamily) ?? 'preference',
    description: tag?.description ?? '',
    owner_org: tag?.owner_org ?? me?.orgCode ?? 'HQ',
  }));
  const initialKind = (tag?.kind as TagKind) ?? 'aggregate';
  const [kind, setKind] = useState<TagKind>(initialKind);
  // One draft per kind, so trying another kind and coming back keeps what was typed.
  const [drafts, setDrafts] = useState<Partial<Record<TagKind, TagRule>>>(() => (tag?.rule ? { [initialKind]: fromRule(tag.rule) } : {}));
  const [tab, setTab] = useState<'form' | 'json'>('form');
  const [jsonText, setJsonText] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<TagRead>();

  const cat = catalogue.data;
  const rule: TagRule | undefined = drafts[kind] ?? (cat ? defaultRule(kind, cat) : undefined);
  const ctx: EditorContext | undefined = useMemo(
    () => (cat ? { catalogue: cat, segments: segments.data?.items ?? [], lists: lists.data ?? [], readOnly: false } : undefined),
    [cat, segments.data, lists.data],
  );
  const lockedKind = !creating && (current.kind === 'model' || current.kind === 'imported');

  const issues: RuleIssue[] = rule ? [...headerIssues(header, creating), ...ruleIssues(rule, cat)] : [];
  const clientErrors: FieldErrors = {};
  for (const i of issues) (clientErrors[i.field] ??= []).push(t(i.code as MessageKey, i.params));
  const errors: FieldErrors = { ...(submitted ? clientErrors : {}) };
  for (const [f, msgs] of Object.entries(serverErrors)) errors[f] = [...(errors[f] ?? []), ...msgs];

  const touch = () => {
    onDirty(true);
    setServerErrors({});
    setGeneral(null);
  };
  const setRule = (next: TagRule) => {
    touch();
    setDrafts((d) => ({ ...d, [next.kind]: next }));
  };
  const setField = <K extends keyof Header>(k: K, v: Header[K]) => {
    touch();
    setHeader((h) => ({ ...h, [k]: v }));
  };
  const chooseKind = (k: TagKind) => {
    touch();
    if (!drafts[k] && cat) setDrafts((d) => ({ ...d, [k]: defaultRule(k, cat) }));
    // A new tag's family follows the kind where the kind says it (a lifecycle rule is a 生命周期 tag).
    if (creating && KIND_FAMILY[k]) setHeader((h) => ({ ...h, family: KIND_FAMILY[k] as TagFamily }));
    setKind(k);
  };
  const switchTab = (next: 'form' | 'json') => {
    if (next === 'json' && rule) {
      setJsonText(ruleJson(rule));
      setJsonError(null);
    }
    setTab(next);
  };
  const editJson = (text: string) => {
    setJsonText(text);
    touch();
    const parsed = parseRuleJson(text);
    if ('error' in parsed) {
      setJsonError(t(parsed.error as MessageKey, parsed.params));
      return;
    }
    setJsonError(null);
    if (lockedKind && parsed.rule.kind !== kind) {
      setJsonError(t('tagEditor.json.lockedKind'));
      return;
    }
    setDrafts((d) => ({ ...d, [parsed.rule.kind]: parsed.rule }));
    setKind(parsed.rule.kind);
  };

  const save = async () => {
    if (!rule) return;
    setSubmitted(true);
    touch();
    if (tab === 'json' && jsonError) return;
    if (issues.length) {
      setGeneral(t('tagEditor.fixFirst'));
      if (tab === 'json') setTab('form');
      return;
    }
    setSaving(true);
    try {
      const definition = toDefinition(rule);
      const body = {
        name: header.name.trim(),
        family: header.family,
        description: header.description.trim(),
        rule: definition,
        owner_org: header.owner_org || null,
      };
      const result = creating ? await tagsApi.create({ key: header.key, ...body }) : await tagsApi.update(current.id, body);
      if (!creating && result.version === current.version && result.owner_org === current.owner_org) {
        setGeneral(t('tagEditor.unchanged'));
        return;
      }
      onDirty(false);
      setSaved(result);
      setCurrent(result);
      setSubmitted(false);
    } catch (err) {
      const byField = errorsByField(serverFieldErrors(err));
      const fields: FieldErrors = {};
      for (const [f, msgs] of Object.entries(byField)) if (f) fields[f] = msgs.map(tidyMessage);
      setServerErrors(fields);
      const rest = byField[''];
      setGeneral(rest ? rest.map(tidyMessage).join('；') : Object.keys(fields).length ? t('tagEditor.fixFirst') : errorMessage(err, t));
      // Field errors show on the form; bring it up when they are about the rule.
      if (Object.keys(fields).some((f) => !['key', 'name', 'family', 'description', 'owner_org'].includes(f))) setTab('form');
    } finally {
      setSaving(false);
    }
  };

  if (saved) {
    return (
      <SavedPane
        tag={saved}
        created={tag === undefined && saved.version === 1}
        onEdit={() => setSaved(undefined)}
        onDone={() => onDone(saved)}
      />
    );
  }
  if (catalogue.error !== undefined) return <ErrorAlert error={catalogue.error} onRetry={catalogue.reload} />;
  if (!rule || !ctx) return <Skeleton active />;

  return (
    <Form layout="vertical" component="div" data-testid="tag-editor-form">
      {general && (
        <Alert type="error" showIcon title={general} style={{ marginBottom: 16 }} data-testid="tag-editor-error" />
      )}
      <GridRow gutter={16}>
        <Col span={12}>
          <Row field="name" label={t('tagEditor.name')} errors={errors}>
            <Input value={header.name} maxLength={128} onChange={(e) => setField('name', e.target.value)} data-testid="tag-name" />
          </Row>
        </Col>
        <Col span={12}>
          <Row field="key" label={t('tagEditor.key')} errors={errors} extra={creating ? t('tagEditor.keyHint') : undefined}>
            <Input
              value={header.key}
              maxLength={64}
              disabled={!creating}
              className="mf-mono"
              placeholder="login_count_30d"
              onChange={(e) => setField('key', e.target.value.trim())}
              data-testid="tag-key"
            />
          </Row>
        </Col>
        <Col span={12}>
          <Row field="family" label={t('tags.col.family')} errors={errors}>
            <Select
              value={header.family}
              showSearch
              optionFilterProp="label"
              options={FAMILIES.map((f) => ({ value: f, label: tv('tagFamily', f) }))}
              onChange={(f: TagFamily) => setField('family', f)}
              data-testid="tag-family"
            />
          </Row>
        </Col>
        <Col span={12}>
          <Row field="owner_org" label={t('tags.col.owner')} errors={errors}>
            <span data-testid="tag-owner">
              <OrgTreeSelect value={header.owner_org} onChange={(v) => setField('owner_org', v)} />
            </span>
          </Row>
        </Col>
        <Col span={24}>
          <Row field="description" label={t('tags.col.description')} errors={errors}>
            <Input.TextArea
              value={header.description}
              maxLength={2000}
              autoSize={{ minRows: 1, maxRows: 4 }}
              onChange={(e) => setField('description', e.target.value)}
              data-testid="tag-description"
            />
          </Row>
        </Col>
      </GridRow>
      <Row field="kind" label={t('tags.col.kind')} errors={errors} extra={t(`tagEditor.kindHint.${kind}` as MessageKey)}>
        <Segmented
          value={kind}
          options={KINDS.map((k) => ({ value: k, label: tv('tagKind', k), disabled: lockedKind && k !== kind }))}
          onChange={(k) => chooseKind(k as TagKind)}
          data-testid="tag-kind"
        />
      </Row>
      <Tabs
        activeKey={tab}
        onChange={(k) => switchTab(k as 'form' | 'json')}
        items={[
          {
            key: 'form',
            label: <span data-testid="tag-tab-form">{t('tagEditor.tab.form')}</span>,
            children: <RuleForm rule={rule} onChange={setRule} errors={errors} ctx={ctx} />,
          },
          {
            key: 'json',
            label: <span data-testid="tag-tab-json">{t('tagEditor.tab.json')}</span>,
            children: (
              <Form.Item
                validateStatus={jsonError ? 'error' : undefined}
                help={jsonError ? <span data-testid="tag-json-error">{jsonError}</span> : t('tagEditor.json.hint')}
              >
                <Input.TextArea
                  value={jsonText}
                  onChange={(e) => editJson(e.target.value)}
                  autoSize={{ minRows: 12, maxRows: 32 }}
                  spellCheck={false}
                  className="mf-mono"
                  data-testid="tag-json"
                />
              </Form.Item>
            ),
          },
        ]}
      />
      <Space style={{ marginTop: 8 }}>
        <Button type="primary" loading={saving} onClick={save} data-testid="tag-save">
          {creating ? t('tagEditor.create') : t('tagEditor.saveVersion')}
        </Button>
        <Button onClick={onClose} data-testid="tag-cancel">{t('common.cancel')}</Button>
        {!creating && (
          <Typography.Text type="secondary">{t('tagEditor.versionNote', { v: current.version })}</Typography.Text>
        )}
      </Space>
    </Form>
  );
}
