/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhScope = {
  'ml.churn.metricsHqOnly': '模型由总行在全行客户上训练，其验证指标仅总行可见；下方风险分布与名单只含您权限内的客户',
  'err.tag_not_owner': '标签「{tag}」属于 {owner}：只有其所属机构或总行可以修改或计算',
  'err.tag_rule_unreadable': '标签「{tag}」保存的规则已无法读取（按旧版规则保存）：请打开标签重新保存规则',
  'err.segment_not_owner': '客群「{name}」属于 {owner}：您可以查看，但不能修改',
  'err.segment_set_not_owner': '客群集「{name}」属于 {owner}：只有其所属机构可以修改或分享',
  'err.churn_head_office_only': '流失预警模型覆盖全行：只有总行用户可以训练模型或修改规则',
  'err.tag_history_kept': '标签「{tag}」已有截至 {day} 的历史：不能重新计算该日及之前的日期，以免改写他人依赖的历史',
};

export const enScope: Record<keyof typeof zhScope, string> = {
  'ml.churn.metricsHqOnly':
    "The model is trained by head office on the whole bank: its held-out metrics are shown to head office only; the risk distribution and list below hold only customers in your scope",
  'err.tag_not_owner': 'Tag "{tag}" belongs to {owner}: only its owner or head office may change or run it',
  'err.tag_rule_unreadable': 'The stored rule of tag "{tag}" no longer reads (saved under older rules): open the tag and save its rule again',
  'err.segment_not_owner': 'Segment "{name}" belongs to {owner}: you may view it but not change it',
  'err.segment_set_not_owner': 'Segment set "{name}" belongs to {owner}: only its owner may change or share it',
  'err.churn_head_office_only': 'The churn model is bank-wide: only head-office users may train it or change its rules',
  'err.tag_history_kept':
    'Tag "{tag}" has history up to {day}: a day on or before it cannot be recomputed, so history others rely on stays',
};
