// Mofang campaign H5 page: calls the token-authenticated customer API; one Idempotency-Key per tap, reused on retry.
(function () {
  "use strict";
  var body = document.body;
  var token = body.getAttribute("data-token");
  var template = body.getAttribute("data-template");
  var base = "/api/campaign-api/h5/" + encodeURIComponent(token) + "/";
  var out = document.getElementById("result");
  var pending = {};
  var MESSAGES = {
    "campaign.outside_period": "活动不在进行时间内",
    "campaign.not_in_scope": "您不在本活动范围内",
    "campaign.not_in_audience": "您暂不符合参与条件",
    "campaign.not_running": "活动暂未进行",
    "campaign.no_draws_left": "抽奖次数已用完",
    "campaign.not_open": "还未到开抢时间",
    "campaign.aum_not_met": "资产尚未达标",
    "campaign.join_first": "请先报名参加",
    "campaign.token_invalid": "链接无效或已过期",
    "campaign.benefits_unavailable": "奖励发放暂不可用，请稍后重试",
    "mgm.self_invite": "不能邀请自己",
    "mgm.same_identity": "邀请人与被邀请人信息重复",
    "mgm.circular": "不能相互邀请",
    "mgm.cap_reached": "邀请人奖励已达上限",
    "mgm.already_invited": "您已接受过邀请",
    "mgm.unknown_code": "邀请码不存在"
  };

  function key() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function device() {
    // A per-browser id: the same device on both sides of an invite is refused (compared as a keyed hash).
    try {
      var id = window.localStorage.getItem("mofang-device");
      if (!id) { id = key(); window.localStorage.setItem("mofang-device", id); }
      return id;
    } catch (e) { return null; }
  }

  function show(text, ok) {
    out.textContent = text;
    out.className = ok ? "result ok" : "result err";
  }

  function describe(action, data) {
    if (action === "checkin") { return "签到成功，已连续签到 " + data.streak + " 天" + (data.rewards.length ? "，获得奖励！" : ""); }
    if (action === "draw") { return data.won ? "恭喜抽中：" + data.prize : "很遗憾，未中奖，剩余 " + data.draws_left + " 次"; }
    if (action === "invite-code") { return "您的邀请码：" + data.code; }
    if (action === "invite-accept") { return data.status === "held" ? "已接受邀请，正在审核" : "已接受邀请，完成任务后双方得奖励"; }
    if (action === "claim") { return "领取成功"; }
    if (action === "join") { return "报名成功"; }
    return "操作成功";
  }

  function refresh() {
    fetch(base + "progress").then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
      if (!p) { return; }
      var el = document.getElementById("progress");
      if (el) {
        var parts = [];
        if (template === "checkin") { parts.push("连续签到 " + p.streak + " 天"); }
        if (template === "lottery") { parts.push("剩余抽奖 " + p.draws_left + " 次"); }
        if (p.invite_code) { parts.push("我的邀请码 " + p.invite_code + " · 已成功邀请 " + (p.invites.completed || 0) + " 人"); }
        parts.push("已得奖励 " + p.rewards.length + " 个");
        el.textContent = parts.join(" · ");
      }
    });
  }

  function act(action, extra) {
    pending[action] = pending[action] || key();
    var headers = { "Content-Type": "application/json", "Idempotency-Key": pending[action] };
    return fetch(base + action, { method: "POST", headers: headers, body: JSON.stringify(extra || {}) })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, status: r.status, data: d }; }); })
      .then(function (res) {
        if (res.status < 500) { delete pending[action]; }  // an answer (yes or no) is final; 5xx: retry same key
        if (res.ok) { show(describe(action, res.data), true); } else {
          show(MESSAGES[res.data.code] || "操作未成功，请稍后重试", false);
        }
        refresh();
      })
      .catch(function () { show("网络异常，请重试", false); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-action]"), function (btn) {
    btn.addEventListener("click", function () {
      var action = btn.getAttribute("data-action");
      var extra = {};
      if (action === "invite-accept") { extra.code = document.getElementById("code").value.trim(); }
      if (action.indexOf("invite") === 0) { extra.device_id = device(); }
      act(action, extra);
    });
  });
  var params = new URLSearchParams(window.location.search);
  var codeInput = document.getElementById("code");
  if (codeInput && params.get("code")) { codeInput.value = params.get("code"); }
  refresh();
})();
