import type { RuleRead } from '../../api/monitor';
import { FailureTag } from '../../common/FailureTag';

/** Beside a rule's name: why its last evaluation could not judge it (cleared once it could). */
export function RuleErrorBadge({ rule }: { rule: RuleRead }) {
  return <FailureTag error={rule.last_error} at={rule.last_error_at} testId={`rule-error-${rule.id}`} />;
}
