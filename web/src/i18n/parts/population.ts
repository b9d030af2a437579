/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhPopulation = {
  'pop.label': '分析人群',
  'pop.customers': '已识别客户',
  'pop.allUsers': '全部用户',
  'pop.hint': '已识别客户：客户表中的客户（受数据权限和分析对象限定）；全部用户：另含上报了用户ID但不是本行客户的用户',
  'err.analytics.population_scope': '只有可查看全行数据的用户才能分析全部用户（未识别用户不属于任何机构）',
};

export const enPopulation: Record<keyof typeof zhPopulation, string> = {
  'pop.label': 'Population',
  'pop.customers': 'Known customers',
  'pop.allUsers': 'All users',
  'pop.hint': 'Known customers: rows of the customer table (within your data scope and the customer filter); all users: also users whose events carry a user ID that is no customer of the bank',
  'err.analytics.population_scope': 'Only users who see the whole bank may include unidentified users (they belong to no branch)',
};
