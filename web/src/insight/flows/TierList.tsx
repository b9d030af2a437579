import { ArrowDownOutlined, ArrowUpOutlined, CloseOutlined, HolderOutlined } from '@ant-design/icons';
import { Button, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import type { SegmentRead } from '../../api/insight';
import { formatDate } from '../../common/format';
import { useI18n } from '../../i18n';
import { moveItem } from './flowMath';

/** An ordered list of segments forming a tiering: add from a searchable picker, reorder by drag or arrows. */
export function TierList({
  segments,
  loading,
  value,
  onChange,
}: {
  segments: SegmentRead[];
  loading: boolean;
  value: number[];
  onChange: (ids: number[]) => void;
}) {
  const { t } = useI18n();
  const [dragging, setDragging] = useState<number>();
  const byId = useMemo(() => new Map(segments.map((s) => [s.id, s])), [segments]);
  const options = segments
    .filter((s) => !value.includes(s.id))
    .map((s) => ({ value: s.id, label: s.name, title: `${s.name} #${s.id}` }));

  return (
    <div style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t('flows.segmentsHelp')}
      </Typography.Paragraph>
      <ol style={{ listStyle: 'none', padding: 0, margin: '0 0 8px' }} data-testid="flows-tiers">
        {value.map((id, i) => {
          const seg = byId.get(id);
          return (
            <li
              key={id}
              draggable
              onDragStart={() => setDragging(i)}
              onDragEnd={() => setDragging(undefined)}
              onDragOver={(e) => e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault();
                if (dragging !== undefined) onChange(moveItem(value, dragging, i));
                setDragging(undefined);
              }}
              data-testid={`flows-tier-${i}`}
              style={{
                display: 'flex',
                alignItems: 'center',
                gap: 8,
                padding: '4px 8px',
                marginBottom: 4,
                border: '1px solid var(--ant-color-border-secondary, #e5e7eb)',
                borderRadius: 6,
                background: dragging === i ? 'var(--ant-color-fill-tertiary, #f3f4f6)' : undefined,
                maxWidth: 640,
              }}
            >
              <Tooltip title={t('flows.drag')}>
                <HolderOutlined style={{ cursor: 'grab', color: '#94a3b8' }} aria-label={t('flows.drag')} />
              </Tooltip>
              <Typography.Text type="secondary" style={{ width: 56 }}>
                {t('flows.tierN', { n: i + 1 })}
              </Typography.Text>
              <Typography.Text strong ellipsis style={{ flex: 1 }}>
                {seg?.name ?? `#${id}`}
              </Typography.Text>
              {seg && (
                <Tag color={seg.frozen_on ? undefined : 'blue'}>
                  {seg.frozen_on ? t('flows.static', { day: formatDate(seg.frozen_on) }) : t('flows.dynamic')}
                </Tag>
              )}
              <Space size={0}>
                <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} aria-label={t('flows.moveUp')}
                  onClick={() => onChange(moveItem(value, i, i - 1))} data-testid={`flows-tier-up-${i}`} />
                <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={i === value.length - 1} aria-label={t('flows.moveDown')}
                  onClick={() => onChange(moveItem(value, i, i + 1))} data-testid={`flows-tier-down-${i}`} />
                <Button size="small" type="text" icon={<CloseOutlined />} aria-label={t('flows.remove')}
                  onClick={() => onChange(value.filter((x) => x !== id))} data-testid={`flows-tier-remove-${i}`} />
              </Space>
            </li>
          );
        })}
        <li style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
          <Select<number>
            style={{ width: 320 }}
            showSearch
            optionFilterProp="title"
            placeholder={t('flows.addSegment')}
            value={null}
            loading={loading}
            options={options}
            onChange={(id) => onChange([...value, id])}
            disabled={value.length >= 20}
            data-testid="flows-segments"
          />
          {value.length < 2 && <Typography.Text type="secondary">{t('flows.needTwo')}</Typography.Text>}
        </li>
      </ol>
    </div>
  );
}
