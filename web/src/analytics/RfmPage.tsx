import { RfmPage } from './ValuePages';
export default RfmPage;
