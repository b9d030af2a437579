import { LtvPage } from './ValuePages';
export default LtvPage;
