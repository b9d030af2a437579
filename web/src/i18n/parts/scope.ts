/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhScope = {
  'err.tag_not_owner': '标签「{tag}」属于 {owner}：只有其所属机构或总行可以修改或计算',
  'err.tag_history_kept': '标签「{tag}」已有截至 {day} 的历史：不能重新计算该日及之前的日期，以免改写他人依赖的历史',
};

export const enScope: Record<keyof typeof zhScope, string> = {
  'err.tag_not_owner': 'Tag "{tag}" belongs to {owner}: only its owner or head office may change or run it',
  'err.tag_history_kept':
    'Tag "{tag}" has history up to {day}: a day on or before it cannot be recomputed, so history others rely on stays',
};
