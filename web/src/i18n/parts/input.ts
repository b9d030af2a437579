/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhInput = {
  'err.input.bad_text': '“{field}”含有无法保存的字符（空字符或不完整的 Unicode 代理字符）',
  'err.input.int_range': '“{field}”超出了 64 位整数的范围',
  'err.input.not_finite': '“{field}”不是有限的数值',
  'audit.action.monitor.metric.create': '创建指标',
  'err.segment.definition_unreadable': '客群保存的条件已无法读取，请编辑客群后重新保存',
  'input.failed': '计算失败',
  'input.failedTip': '计算失败：{error}',
  'input.segmentFailed': '最近一次每日计算失败，人数与快照停留在上次成功的结果',
};

export const enInput: Record<keyof typeof zhInput, string> = {
  'err.input.bad_text': '"{field}" contains characters that cannot be stored (a NUL or a lone Unicode surrogate)',
  'err.input.int_range': '"{field}" is outside the 64-bit integer range',
  'err.input.not_finite': '"{field}" is not a finite number',
  'audit.action.monitor.metric.create': 'Create metric',
  'err.segment.definition_unreadable': 'The stored definition of the segment no longer reads: edit and save the segment',
  'input.failed': 'Failed',
  'input.failedTip': 'Computation failed: {error}',
  'input.segmentFailed': 'The last daily computation failed; the count and snapshots are those of the last successful run',
};
