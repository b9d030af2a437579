import type {
  AttributionResult,
  DistributionResult,
  FunnelResult,
  IntervalResult,
  LtvQuery,
  LtvResult,
  MauAumResult,
  PathsResult,
  PropertiesResult,
  RetentionQuery,
  RetentionResult,
  RfmResult,
  TrendsQuery,
  TrendsResult,
} from '../../api/analytics';
import type { SavedRun } from '../../api/dashboards';
import type { Catalogue } from '../../api/insight';
import { AttributionView } from './AttributionView';
import { DistributionView } from './DistributionView';
import { FunnelView } from './FunnelView';
import { IntervalView } from './IntervalView';
import { LtvView } from './LtvView';
import { MauAumView } from './MauAumView';
import { PathsView } from './PathsView';
import { PropertiesView } from './PropertiesView';
import { RetentionView } from './RetentionView';
import { RfmView } from './RfmView';
import { TrendsView } from './TrendsView';

/** The result view of any model, chosen by the run's model: what a dashboard widget draws. */
export function AnalysisView({ run, catalogue, compact }: { run: SavedRun; catalogue?: Catalogue; compact?: boolean }) {
  const { model } = run.analysis;
  const data = run.result as unknown;
  switch (model) {
    case 'trends':
      return <TrendsView data={data as TrendsResult} query={run.query as TrendsQuery} catalogue={catalogue} compact={compact} />;
    case 'funnel':
      return <FunnelView data={data as FunnelResult} catalogue={catalogue} compact={compact} />;
    case 'retention':
      return <RetentionView data={data as RetentionResult} query={run.query as RetentionQuery} compact={compact} />;
    case 'paths':
      return <PathsView data={data as PathsResult} catalogue={catalogue} compact={compact} />;
    case 'attribution':
      return <AttributionView data={data as AttributionResult} catalogue={catalogue} compact={compact} />;
    case 'distribution':
      return <DistributionView data={data as DistributionResult} compact={compact} />;
    case 'interval':
      return <IntervalView data={data as IntervalResult} compact={compact} />;
    case 'properties':
      return <PropertiesView data={data as PropertiesResult} compact={compact} />;
    case 'ltv':
      return <LtvView data={data as LtvResult} query={run.query as LtvQuery} compact={compact} />;
    case 'rfm':
      return <RfmView data={data as RfmResult} compact={compact} />;
    case 'mau-aum':
      return <MauAumView data={data as MauAumResult} compact={compact} />;
    default: {
      // A model this console does not know yet draws nothing rather than breaking the whole dashboard.
      const unknown: never = model;
      return unknown;
    }
  }
}
