"""The declared schema of every loadable entity: the fields the product reads, with Chinese names and aliases."""

from __future__ import annotations

from mofang.integration.contracts import EntitySpec, FieldSpec

F = FieldSpec
_CONSENTS = (("sms", "短信"), ("push", "APP推送"), ("inbox", "站内信"), ("wechat", "微信"), ("email", "邮件"),
             ("call", "外呼"))

ORGS = EntitySpec(name="orgs", zh="机构", table="orgs", key=("code",), full_allowed=False, fields=(
    F("code", "string", "机构代码", "Org code; children nest under their parent (GD, GD-SZ, GD-SZ-001)", "GD-SZ-001",
      required=True, aliases=("机构号", "机构编码", "org_code")),
    F("name", "string", "机构名称", "Display name", "深圳南山支行", required=True, aliases=("名称", "org_name")),
    F("parent_code", "string", "上级机构", "Parent org code (empty only for the head office)", "GD-SZ",
      aliases=("上级机构代码", "parent")),
    F("level", "integer", "层级", "0 head office, 1 province, 2 city, 3 branch", "3", required=True,
      aliases=("机构层级",)),
))

STAFF = EntitySpec(name="staff", zh="客户经理", table="relationship_managers", key=("rm_id",),
                   refs=(("org_code", "orgs"),), fields=(
    F("rm_id", "string", "客户经理编号", "Staff code of the relationship manager", "RM00012", required=True,
      aliases=("客户经理号", "员工号", "工号")),
    F("name", "string", "客户经理姓名", "Name", "王芳", required=True, aliases=("姓名",)),
    F("org_code", "string", "所属机构", "The org the RM works in", "GD-SZ-001", required=True,
      aliases=("机构代码", "机构号")),
))

PRODUCTS = EntitySpec(name="products", zh="产品", table="products", key=("product_id",), fields=(
    F("product_id", "string", "产品代码", "Product code", "WM-2026-001", required=True, aliases=("产品编号",)),
    F("name", "string", "产品名称", "Display name", "稳享90天理财", required=True, aliases=("名称",)),
    F("product_type", "string", "产品类型", "活期 定期 大额存单 理财 基金 保险 贵金属 消费贷 经营贷 房贷 信用卡",
      "理财", required=True, aliases=("类型",)),
    F("risk_level", "string", "风险等级", "R1..R5", "R2", choices=("R1", "R2", "R3", "R4", "R5"),
      aliases=("产品风险等级",)),
    F("rate", "number", "利率/收益率", "Deposit rate, expected yield or loan rate, percent per year", "2.85",
      aliases=("利率", "收益率", "业绩比较基准")),
    F("term_days", "integer", "期限(天)", "Term in days (empty when open-ended)", "90", aliases=("期限",)),
    F("is_liability", "boolean", "是否负债类", "Loans and cards: balances the customer owes, not AUM", "false",
      aliases=("负债类",)),
))

CUSTOMERS = EntitySpec(name="customers", zh="客户", table="customers", key=("customer_id",),
                       refs=(("org_code", "orgs"), ("rm_id", "staff")), fields=(
    F("customer_id", "string", "客户号", "The bank's customer number", "C00000123", required=True,
      aliases=("客户编号", "客户号码", "cust_no", "customer_no"), max_length=64),
    F("name", "string", "姓名", "Customer name (masked on read)", "张三", required=True,
      aliases=("客户姓名", "客户名称")),
    F("gender", "string", "性别", "M or F (map 男/女 with a value map)", "F", choices=("M", "F"),
      aliases=("sex",)),
    F("birth_date", "date", "出生日期", "Date of birth", "1990-05-17", aliases=("生日", "birthday")),
    F("id_number", "string", "证件号码", "ID number; encrypted at rest, masked on read", "440301199005171234",
      pii=True, aliases=("身份证号", "证件号", "id_no")),
    F("phone", "string", "手机号", "Mobile number; encrypted at rest, masked on read", "13800001234", pii=True,
      aliases=("手机号码", "mobile", "联系电话")),
    F("email", "string", "电子邮箱", "E-mail; encrypted at rest, masked on read", "kh@example.com", pii=True,
      aliases=("邮箱", "e-mail")),
    F("province", "string", "省份", "Province of residence", "广东", aliases=("省",)),
    F("city", "string", "城市", "City of residence", "深圳", aliases=("市",)),
    F("occupation", "string", "职业", "Occupation", "职员"),
    F("income_band", "string", "收入区间", "Annual income band", "10-20万", aliases=("年收入",)),
    F("risk_level", "string", "风险测评等级", "KYC risk level C1..C5", "C3",
      choices=("C1", "C2", "C3", "C4", "C5"), aliases=("风险等级", "kyc_level")),
    F("open_date", "date", "开户日期", "Date the customer opened their first account", "2020-01-01",
      aliases=("开户日",)),
    F("acquisition_channel", "string", "获客渠道", "Where the customer was acquired", "网点",
      aliases=("渠道",)),
    F("org_code", "string", "管户机构", "Managing branch (org code); decides who may see the customer", "GD-SZ-001",
      required=True, aliases=("管护机构", "机构代码", "机构号")),
    F("rm_id", "string", "客户经理编号", "Managing relationship manager (empty when none)", "RM00012",
      aliases=("管户客户经理", "客户经理号", "客户经理")),
    F("tier", "string", "客户层级", "大众 / 潜力 / 财富 / 私行", "财富", aliases=("层级", "客户等级")),
    F("aum", "number", "AUM", "Latest assets under management in CNY (kept from daily AUM when not sent)",
      "523000.00", aliases=("资产余额",)),
    *(F(f"consent_{c}", "boolean", f"{zh}营销同意", f"May be contacted by {c} for marketing", "true",
        aliases=(f"{zh}授权",)) for c, zh in _CONSENTS),
))

HOLDINGS = EntitySpec(name="holdings", zh="持仓", table="holdings", key=("customer_id", "product_id"),
                      refs=(("customer_id", "customers"), ("product_id", "products")), fields=(
    F("customer_id", "string", "客户号", "Holder", "C00000123", required=True, aliases=("客户编号",),
      max_length=64),
    F("product_id", "string", "产品代码", "Product held", "WM-2026-001", required=True, aliases=("产品编号",)),
    F("balance", "number", "余额", "Current balance in CNY (owed amount for loans and cards)", "100000.00",
      required=True, aliases=("持仓余额", "金额")),
    F("opened_at", "date", "开立日期", "Date the holding was opened", "2025-03-01",
      aliases=("开户日期", "起息日")),
))

TRANSACTIONS = EntitySpec(name="transactions", zh="交易流水", table="transactions", key=("txn_id",),
                          full_allowed=False, refs=(("customer_id", "customers"),), fields=(
    F("txn_id", "string", "交易流水号", "Unique transaction id", "T202601010001", required=True,
      aliases=("流水号",), max_length=64),
    F("customer_id", "string", "客户号", "Customer", "C00000123", required=True, aliases=("客户编号",),
      max_length=64),
    F("ts", "timestamp", "交易时间", "When it was booked (UTC)", "2026-01-01 09:30:00", required=True,
      aliases=("交易日期时间", "time")),
    F("txn_type", "string", "交易类型",
      "salary transfer_in transfer_out card_spend loan_repayment purchase redemption", "salary", required=True,
      aliases=("类型",)),
    F("direction", "string", "收支方向", "in or out", "in", required=True, choices=("in", "out"),
      aliases=("方向", "借贷方向")),
    F("amount", "number", "金额", "Amount in CNY, positive", "8500.00", required=True, aliases=("交易金额",)),
    F("category", "string", "交易分类", "Spending or income category", "餐饮", aliases=("分类",)),
    F("channel", "string", "交易渠道", "Channel it came through", "手机银行", aliases=("渠道",)),
    F("description", "string", "摘要", "Free-text description", "工资", aliases=("备注",)),
))

AUM_DAILY = EntitySpec(name="aum_daily", zh="每日AUM", table="aum_daily", key=("customer_id", "date"),
                       full_allowed=False, refs=(("customer_id", "customers"),), fields=(
    F("customer_id", "string", "客户号", "Customer", "C00000123", required=True, aliases=("客户编号",),
      max_length=64),
    F("date", "date", "日期", "Business day", "2026-01-31", required=True, aliases=("数据日期", "统计日期")),
    F("aum", "number", "AUM", "Assets under management at end of day, CNY", "523000.00", required=True,
      aliases=("资产余额", "日终AUM")),
))

# Kinds a file may carry (kept in step with mofang.integration.identities.contracts.LOADABLE_KINDS by a test).
IDENTITY_KINDS = ("app_user", "wechat_openid", "wechat_unionid", "push_token", "email", "mobile")

IDENTITIES = EntitySpec(name="identities", zh="身份标识", table="customer_identities",
                        key=("customer_id", "kind", "value"), refs=(("customer_id", "customers"),), fields=(
    F("customer_id", "string", "客户号", "Customer the identifier belongs to", "C00000123", required=True,
      aliases=("客户编号", "cust_no", "customer_no"), max_length=64),
    F("kind", "string", "标识类型", "app_user wechat_openid wechat_unionid push_token email mobile "
      "(map the bank's own names with a value map)", "mobile", required=True, choices=IDENTITY_KINDS,
      aliases=("类型", "id_type")),
    F("value", "string", "标识值", "The identifier; mobile, e-mail, openids and push tokens are encrypted at rest "
      "and masked on read (app user ids are kept as they are)", "13800001234", required=True, pii=True,
      aliases=("标识", "identifier"), max_length=256),
    F("valid", "boolean", "是否有效", "false when the bank knows the identifier no longer works (default true)",
      "true", aliases=("有效",)),
    F("first_seen", "timestamp", "首次出现", "When the bank first saw it", "2025-03-01 08:00:00",
      aliases=("首次使用时间",)),
    F("last_seen", "timestamp", "最近出现", "When the bank last saw it", "2026-01-31 20:15:00",
      aliases=("最近使用时间",)),
))

ENTITIES: dict[str, EntitySpec] = {e.name: e for e in (ORGS, STAFF, PRODUCTS, CUSTOMERS, IDENTITIES, HOLDINGS,
                                                       TRANSACTIONS, AUM_DAILY)}
