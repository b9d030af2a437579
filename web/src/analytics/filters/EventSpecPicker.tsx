import type { EventSpec } from '../../api/analytics';
import type { Catalogue } from '../../api/insight';
import { EventPicker } from '../common';
import { PropertyFiltersField } from './PropertyFiltersField';

/** An event picker with the property filters of the chosen event beneath it: edits one `EventSpec`. */
export function EventSpecPicker({
  catalogue,
  value,
  onChange,
  testId,
  index,
  width,
  allowClear,
  placeholder,
}: {
  catalogue?: Catalogue;
  value: EventSpec;
  onChange: (next: EventSpec) => void;
  testId?: string;
  /** `an-prop-filters-<index>` of the filters. */
  index: number | string;
  width?: number;
  allowClear?: boolean;
  placeholder?: string;
}) {
  return (
    <div className="mf-an-event-block">
      <EventPicker
        catalogue={catalogue}
        value={value.event}
        onChange={(event) => onChange({ event, filters: [] })}
        testId={testId}
        width={width}
        allowClear={allowClear}
        placeholder={placeholder}
      />
      <PropertyFiltersField
        catalogue={catalogue}
        event={value.event}
        value={value.filters}
        onChange={(filters) => onChange({ ...value, filters })}
        index={index}
      />
    </div>
  );
}
