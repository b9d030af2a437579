/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhPii = {
  'pii.birthYearOnly': '{year} 年（月日已脱敏）',
  'err.pii_unmask_forbidden': '您的角色无权查看未脱敏的个人信息',
};

export const enPii: Record<keyof typeof zhPii, string> = {
  'pii.birthYearOnly': '{year} (month and day masked)',
  'err.pii_unmask_forbidden': 'Your role may not view unmasked personal data',
};
