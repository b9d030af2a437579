/** A tag's saved versions (who, when) with any version's definition as sorted JSON and its diff to the one before. */
import { Card, Empty, List, Segmented, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { tagsApi, type TagVersion } from '../../../api/insight';
import { ErrorAlert } from '../../../common/ErrorAlert';
import { formatDateTime } from '../../../common/format';
import { useApi } from '../../../common/useApi';
import { useI18n } from '../../../i18n';
import { compactJson } from '../json';
import { diffLines, stableJson } from './diff';

export function VersionsCard({ tagId, reloadKey }: { tagId: number; reloadKey: number }) {
  const { t } = useI18n();
  const versions = useApi((signal) => tagsApi.versions(tagId, signal), [tagId, reloadKey]);
  const [picked, setPicked] = useState<number>();
  const [view, setView] = useState<'json' | 'diff'>('diff');
  const items = versions.data ?? [];
  const shown = items.find((v) => v.version === picked) ?? items[0];
  const previous = shown ? items.find((v) => v.version < shown.version) : undefined;
  return (
    <Card size="small" title={t('tagEditor.versions')} data-testid="tag-versions">
      {versions.error !== undefined && <ErrorAlert error={versions.error} onRetry={versions.reload} />}
      {items.length === 0 && !versions.loading ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start' }}>
          <List<TagVersion>
            size="small"
            style={{ width: 230, flex: 'none' }}
            loading={versions.loading}
            dataSource={items}
            renderItem={(v) => (
              <List.Item
                onClick={() => setPicked(v.version)}
                style={{ cursor: 'pointer', background: shown?.version === v.version ? 'var(--mf-row-selected, #e6f4ff)' : undefined, paddingInline: 8 }}
                data-testid={`tag-version-${v.version}`}
              >
                <Space orientation="vertical" size={0}>
                  <Space size={6}>
                    <Tag color={v === items[0] ? 'blue' : undefined}>v{v.version}</Tag>
                    <Typography.Text>{v.created_by ?? t('tagEditor.versions.system')}</Typography.Text>
                  </Space>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {formatDateTime(v.created_at)}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
          {shown && (
            <div style={{ flex: 1, minWidth: 0 }}>
              <Space style={{ marginBottom: 8 }}>
                <Segmented
                  size="small"
                  value={previous ? view : 'json'}
                  options={[
                    { value: 'diff', label: t('tagEditor.versions.diff'), disabled: !previous },
                    { value: 'json', label: t('tagEditor.versions.json') },
                  ]}
                  onChange={(v) => setView(v as 'json' | 'diff')}
                  data-testid="tag-version-view"
                />
                {previous && view === 'diff' && (
                  <Typography.Text type="secondary">{t('tagEditor.versions.against', { a: previous.version, b: shown.version })}</Typography.Text>
                )}
              </Space>
              <VersionView version={shown} previous={previous && view === 'diff' ? previous : undefined} />
            </div>
          )}
        </div>
      )}
    </Card>
  );
}

function VersionView({ version, previous }: { version: TagVersion; previous?: TagVersion }) {
  const after = stableJson(compactJson(version.definition));
  if (!previous) {
    return (
      <pre className="mf-json" data-testid="tag-version-json">
        {after}
      </pre>
    );
  }
  const lines = diffLines(stableJson(compactJson(previous.definition)), after);
  return (
    <pre className="mf-json" data-testid="tag-version-json">
      {lines.map((l, i) => (
        <div
          key={i}
          className={`mf-diff-${l.kind}`}
          style={{
            background: l.kind === 'added' ? 'rgba(82,196,26,0.15)' : l.kind === 'removed' ? 'rgba(255,77,79,0.15)' : undefined,
          }}
        >
          {l.kind === 'added' ? '+ ' : l.kind === 'removed' ? '- ' : '  '}
          {l.text}
        </div>
      ))}
    </pre>
  );
}
