import { api } from '../../api/client';

/** Channels of the reach centre (the eight 触达通道). */
export type Channel = 'sms' | 'push' | 'inbox' | 'placement' | 'wechat' | 'email' | 'call' | 'rm_task';
export const CHANNELS: Channel[] = ['sms', 'push', 'inbox', 'placement', 'wechat', 'email', 'call', 'rm_task'];
export type Purpose = 'marketing' | 'service';
export type TemplateStatus = 'draft' | 'active' | 'archived';
export type VariableSource = 'profile' | 'name_part' | 'product' | 'benefit' | 'trigger' | 'link';

export interface VariableInfo {
  key: string;
  name: string;
  label_en: string;
  source: VariableSource;
  max_length: number;
  /** Digits, dates and links: never turns a GSM-7 SMS into UCS-2. */
  ascii_only: boolean;
  example: string;
}

export interface ContentCatalogue {
  variables: VariableInfo[];
  personas: string[];
  scenes: string[];
}

export interface TemplateContent {
  title?: string | null;
  body: string;
  subject?: string | null;
  html?: string | null;
  wechat_template_id?: string | null;
  fields: Record<string, string>;
  call_script_id?: string | null;
  call_variables: string[];
  links: Record<string, string>;
}

export interface SmsCount {
  encoding: 'GSM-7' | 'UCS-2';
  characters: number;
  parts: number;
}

export interface TemplateRead {
  id: number;
  name: string;
  channel: Channel;
  purpose: Purpose;
  status: TemplateStatus;
  version: number;
  content: TemplateContent;
  products: string[];
  scenes: string[];
  personas: string[];
  variables: string[];
  sms: SmsCount | null;
  owner_org: string;
  owned: boolean;
  share_all: boolean;
  shared_with: string[];
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface TemplateWrite {
  name: string;
  channel: Channel;
  purpose: Purpose;
  content: TemplateContent;
  products: string[];
  scenes: string[];
  personas: string[];
}

export interface ValidationIssue {
  field: string;
  code: string;
  message: string;
  params: Record<string, string | number>;
}

export interface ValidationReport {
  ok: boolean;
  issues: ValidationIssue[];
  sms: SmsCount | null;
}

export interface PreviewRead {
  channel: Channel;
  version: number;
  customer_id: string | null;
  title: string | null;
  body: string;
  html: string | null;
  url: string | null;
  data: Record<string, string>;
  sms: SmsCount | null;
}

export interface TemplateVersion {
  version: number;
  content: TemplateContent;
  created_by: string | null;
  created_at: string;
}

export interface SensitiveWord {
  id: number;
  word: string;
  exceptions: string[];
  created_by: string | null;
  created_at: string;
}

export interface TemplateFilters {
  channel?: Channel;
  tag?: string;
  persona?: string;
  status?: TemplateStatus;
}

export const contentApi = {
  catalogue: (signal?: AbortSignal) => api.get<ContentCatalogue>('/api/reach/variables', { signal }),
  list: (filters: TemplateFilters, signal?: AbortSignal) =>
    api.get<TemplateRead[]>('/api/reach/templates', { signal, query: { ...filters } }),
  create: (body: TemplateWrite) => api.post<TemplateRead>('/api/reach/templates', body),
  update: (id: number, body: Partial<Omit<TemplateWrite, 'channel'>>) =>
    api.patch<TemplateRead>(`/api/reach/templates/${id}`, body),
  validate: (body: { channel: Channel; purpose: Purpose; content: TemplateContent }, signal?: AbortSignal) =>
    api.post<ValidationReport>('/api/reach/templates/validate', body, { signal }),
  setStatus: (id: number, status: TemplateStatus) =>
    api.post<TemplateRead>(`/api/reach/templates/${id}/status`, { status }),
  share: (id: number, body: { all: boolean; org_codes: string[] }) =>
    api.post<TemplateRead>(`/api/reach/templates/${id}/share`, body),
  versions: (id: number, signal?: AbortSignal) =>
    api.get<TemplateVersion[]>(`/api/reach/templates/${id}/versions`, { signal }),
  preview: (id: number, body: { customer_id?: string; variables?: Record<string, string>; version?: number }) =>
    api.post<PreviewRead>(`/api/reach/templates/${id}/preview`, body),
  words: (signal?: AbortSignal) => api.get<SensitiveWord[]>('/api/reach/sensitive-words', { signal }),
  addWord: (body: { word: string; exceptions: string[] }) => api.post<SensitiveWord>('/api/reach/sensitive-words', body),
  removeWord: (id: number) => api.del<unknown>(`/api/reach/sensitive-words/${id}`),
};
