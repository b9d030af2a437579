import { DistributionPage } from './HistogramPages';
export default DistributionPage;
