/** Messages of experiment statistics (server error codes as `err.<code>`) and of gone links. */
export const zhExperiments = {
  'err.experiment.bad_alpha': '显著性水平“{field}”须在 0 与 1 之间',
  'err.experiment.bad_cost': '成本“{field}”须为正数',
  'err.experiment.bad_count': '“{field}”须为非负整数，且转化数不超过人数',
  'err.experiment.bad_percent': '比例“{field}”须在 0 到 100 之间',
  'err.experiment.bad_power': '检验效能“{field}”须在 0 与 1 之间',
  'err.experiment.bad_rate': '基线转化率“{field}”须在 0 与 1 之间',
  'err.experiment.bad_resamples': '重抽样次数“{field}”超出允许范围',
  'err.experiment.bad_values': '“{field}”须为有限数值',
  'err.experiment.bad_weights': '分组“{field}”：每组名称唯一、比例为非负数且至少一组大于 0',
  'err.experiment.length_mismatch': '“{field}”两组数据的长度不一致',
  'err.gone': '链接已过期',
};

export const enExperiments: Record<keyof typeof zhExperiments, string> = {
  'err.experiment.bad_alpha': 'The significance level "{field}" must be between 0 and 1',
  'err.experiment.bad_cost': 'The cost "{field}" must be positive',
  'err.experiment.bad_count': '"{field}" must be a non-negative whole number, conversions no more than customers',
  'err.experiment.bad_percent': 'The share "{field}" must be between 0 and 100',
  'err.experiment.bad_power': 'The power "{field}" must be between 0 and 1',
  'err.experiment.bad_rate': 'The baseline rate "{field}" must be between 0 and 1',
  'err.experiment.bad_resamples': 'The number of resamples "{field}" is out of range',
  'err.experiment.bad_values': '"{field}" must hold finite numbers',
  'err.experiment.bad_weights': 'Variants "{field}": unique names, non-negative shares, at least one above 0',
  'err.experiment.length_mismatch': 'The two series of "{field}" differ in length',
  'err.gone': 'This link has expired',
};
