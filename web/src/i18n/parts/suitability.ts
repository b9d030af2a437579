/** Product suitability (适当性): the Send node's product risk and the `unsuitable` suppression reason. */
export const zhSuitability = {
  'strategy.field.product_risk': '所推产品风险等级',
  'suitability.hint': '适当性：风险测评等级低于对应 C 级（或未测评）的客户不发送，记为「不适当」抑制',
  'suitability.none': '不涉及产品',
  'suitability.risk.R1': 'R1 低风险',
  'suitability.risk.R2': 'R2 中低风险',
  'suitability.risk.R3': 'R3 中风险',
  'suitability.risk.R4': 'R4 中高风险',
  'suitability.risk.R5': 'R5 高风险',
  'reach.reason.unsuitable': '产品风险高于客户风险测评等级（适当性）',
  'policy.reason.unsuitable': '不适当（适当性）',
};

export const enSuitability: Record<keyof typeof zhSuitability, string> = {
  'strategy.field.product_risk': 'Product risk offered',
  'suitability.hint': 'Suitability: customers whose risk assessment is below the matching C level (or missing) are not sent to; recorded as suppressed "unsuitable"',
  'suitability.none': 'No product',
  'suitability.risk.R1': 'R1 low risk',
  'suitability.risk.R2': 'R2 medium-low risk',
  'suitability.risk.R3': 'R3 medium risk',
  'suitability.risk.R4': 'R4 medium-high risk',
  'suitability.risk.R5': 'R5 high risk',
  'reach.reason.unsuitable': 'Product risk above the customer\'s risk assessment (suitability)',
  'policy.reason.unsuitable': 'Unsuitable (suitability)',
};
