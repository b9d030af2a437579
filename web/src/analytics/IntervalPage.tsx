import { IntervalPage } from './HistogramPages';
export default IntervalPage;
