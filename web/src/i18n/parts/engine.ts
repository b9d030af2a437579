/** Messages of the journey engine runtime (server error codes as `err.<code>`). */
export const zhEngine = {
  'err.engine.not_published': '该策略尚未发布到引擎',
  'err.engine.not_active': '该策略未在运行（未发布、已暂停或已停止）',
  'err.engine.not_found': '您的数据权限范围内没有该策略',
  'err.engine.no_api_entry': '该策略没有接口触发节点',
  'err.engine.bad_key': '写入密钥无效或已吊销',
  'err.engine.bad_mode': '未知的操作：只能暂停、恢复或停止',
  'err.profiles.unknown_tag': '没有标签 {tag}',
  'err.profiles.bad_tag_action': '未知的标签操作 {action}：只能添加或移除',
};

export const enEngine: Record<keyof typeof zhEngine, string> = {
  'err.engine.not_published': 'This strategy has not been published to the engine',
  'err.engine.not_active': 'This strategy is not running (not published, paused or stopped)',
  'err.engine.not_found': 'No such strategy within your data scope',
  'err.engine.no_api_entry': 'This strategy has no API entry node',
  'err.engine.bad_key': 'The write key is invalid or revoked',
  'err.engine.bad_mode': 'Unknown action: pause, resume or stop only',
  'err.profiles.unknown_tag': 'No tag {tag}',
  'err.profiles.bad_tag_action': 'Unknown tag action {action}: add or remove only',
};
