import { Select, Space } from 'antd';
import { useState } from 'react';
import { analyticsApi, ANALYTICS_ATTRIBUTES, type Dimension, type PropertiesQuery } from '../api/analytics';
import type { Catalogue } from '../api/insight';
import { useI18n } from '../i18n';
import { attributeLabel } from '../insight/segments/labels';
import { Field } from './common';
import { AnalysisLayout, useAnalysisPage } from './page';
import { PropertiesView } from './views/PropertiesView';

const AGE_EDGES = [25, 35, 45, 55, 65];
const AUM_EDGES = [50_000, 500_000, 6_000_000];

function DimensionPicker({
  value,
  onChange,
  allowClear,
  testId,
  catalogue,
}: {
  value?: string;
  onChange: (v?: string) => void;
  allowClear?: boolean;
  testId: string;
  catalogue?: Catalogue;
}) {
  const { t, lang } = useI18n();
  return (
    <span data-testid={testId} className="mf-cond-field">
      <Select
        value={value}
        onChange={onChange}
        allowClear={allowClear}
        placeholder={t('an.prop.none')}
        style={{ width: 200 }}
        showSearch
        optionFilterProp="label"
        options={[
          { label: t('an.prop.attributes'), options: ANALYTICS_ATTRIBUTES.map((a) => ({ value: `a:${a}`, label: attributeLabel(lang, a, catalogue) })) },
          { label: t('an.prop.tags'), options: (catalogue?.tags ?? []).map((tg) => ({ value: `t:${tg.key}`, label: tg.name })) },
        ]}
      />
    </span>
  );
}

function toDimension(v: string): Dimension {
  const [kind, key] = [v.slice(0, 1), v.slice(2)];
  if (kind === 't') return { tag: key };
  if (key === 'age') return { attribute: key, edges: AGE_EDGES };
  if (key === 'aum') return { attribute: key, edges: AUM_EDGES };
  return { attribute: key };
}

/** The picker value of a dimension (inverse of `toDimension`). */
function fromDimension(d: Dimension): string {
  return d.tag ? `t:${d.tag}` : `a:${d.attribute ?? ''}`;
}

export default function PropertiesPage() {
  const { t } = useI18n();
  const [d1, setD1] = useState<string>('a:tier');
  const [d2, setD2] = useState<string>();
  const page = useAnalysisPage('properties', analyticsApi.properties, (q: PropertiesQuery) => {
    setD1(fromDimension(q.dimensions[0]));
    setD2(q.dimensions[1] ? fromDimension(q.dimensions[1]) : undefined);
  });
  const { catalogue, result } = page;
  const run = () =>
    result.run({ dimensions: [d1, ...(d2 ? [d2] : [])].map(toDimension), customers: page.base.customers, limit: 100 });
  return (
    <AnalysisLayout
      page={page}
      onRun={run}
      runTestId="properties-run"
      dated={false}
      fields={
        <>
          <Field label={t('an.prop.dim1')}>
            <DimensionPicker value={d1} onChange={(v) => v && setD1(v)} testId="properties-dim-0" catalogue={catalogue.data} />
          </Field>
          <Field label={t('an.prop.dim2')}>
            <Space>
              <DimensionPicker value={d2} onChange={setD2} allowClear testId="properties-dim-1" catalogue={catalogue.data} />
            </Space>
          </Field>
        </>
      }
    >
      {result.data && <PropertiesView data={result.data} />}
    </AnalysisLayout>
  );
}
