/** Messages of one console area (server error codes of the area as `err.<code>`). */
export const zhAuth = {
  'auth.passwordMin': '密码至少 10 位',
  'auth.changePassword': '修改密码',
  'auth.currentPassword': '当前密码',
  'auth.passwordChanged': '密码已修改，您在其他设备上的登录已退出',
  'audit.action.user.password_change': '修改本人密码',
  'err.current_password_wrong': '当前密码不正确',
  'auth.passwordRule': '至少 10 位，含大写字母、小写字母、数字、符号中的至少 3 类；不能是常见密码，不能包含用户名',
  'auth.resetHint':
    '至少 10 位，含大写字母、小写字母、数字、符号中的至少 3 类。重置后原密码立即失效，该用户已登录的会话全部退出，该操作记入审计日志',
  'audit.action.auth.logout': '退出登录',
  'audit.action.auth.refresh_reused': '登录凭证被重复使用，会话已终止',
  'audit.action.outbound.allow': '出站白名单：添加主机',
  'audit.action.outbound.disallow': '出站白名单：移除主机',
  'err.login_failed': '用户名或密码错误',
  'err.login_throttled': '登录失败次数过多，请 {seconds} 秒后再试',
  'err.session_ended': '登录已失效，请重新登录',
  'err.token_invalid': '登录凭证无效或已过期，请重新登录',
  'err.password_too_short': '密码至少 {min} 位',
  'err.password_too_simple': '密码需包含大写字母、小写字母、数字、符号中的至少 {min} 类',
  'err.password_contains_username': '密码不能包含用户名',
  'err.password_common': '该密码过于常见，请换一个',
  'err.outbound_host_invalid': '请只填写主机名或 IP 地址（不含协议、端口或路径）',
  'err.webhook_url_refused': 'Webhook 地址不可用（{reason}）：不允许指向本机、内网或云元数据地址；确需使用时请管理员将该主机加入出站白名单',
};

export const enAuth: Record<keyof typeof zhAuth, string> = {
  'auth.passwordMin': 'The password needs at least 10 characters',
  'auth.changePassword': 'Change password',
  'auth.currentPassword': 'Current password',
  'auth.passwordChanged': 'Password changed; your logins on other devices have ended',
  'audit.action.user.password_change': 'Changed own password',
  'err.current_password_wrong': 'The current password is wrong',
  'auth.passwordRule':
    'At least 10 characters using 3 of: upper case, lower case, digits, symbols; not a common password, not containing the username',
  'auth.resetHint':
    'At least 10 characters using 3 of: upper case, lower case, digits, symbols. The old password stops working at once, the user is logged out everywhere, and the reset is audited',
  'audit.action.auth.logout': 'Signed out',
  'audit.action.auth.refresh_reused': 'Login token reused; session ended',
  'audit.action.outbound.allow': 'Outbound allow-list: host added',
  'audit.action.outbound.disallow': 'Outbound allow-list: host removed',
  'err.login_failed': 'Wrong username or password',
  'err.login_throttled': 'Too many failed logins; try again in {seconds} seconds',
  'err.session_ended': 'Your session has ended; please log in again',
  'err.token_invalid': 'The login token is invalid or expired; please log in again',
  'err.password_too_short': 'The password needs at least {min} characters',
  'err.password_too_simple': 'The password needs at least {min} of: lower case, upper case, digits, symbols',
  'err.password_contains_username': 'The password must not contain the username',
  'err.password_common': 'This password is too common; choose another',
  'err.outbound_host_invalid': 'Give a host name or IP address only (no scheme, port or path)',
  'err.webhook_url_refused':
    'The webhook address cannot be used ({reason}): loopback, internal and cloud-metadata addresses are refused; an administrator can allow-list the host',
};
