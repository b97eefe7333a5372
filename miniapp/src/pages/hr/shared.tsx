import { Text, View } from '@tarojs/components';
import { clearEmployeeSession } from '../../api/interviewer';
import { toSignIn } from '../../components/employee-session';

export { asEmployee } from '../../components/employee-session';

/** Signs out of this device (the server session idles out) and offers the sign-in again, e.g. to switch accounts. */
export function switchAccount(): void {
  clearEmployeeSession();
  toSignIn();
}

/**
 * Accessibility attributes for the browser build (Taro passes them to the element on H5; the mini-program ignores
 * what its components do not know). Spread onto a View or Text.
 */
export function aria(role: string, attributes: Record<string, string> = {}): object {
  return { role, ...Object.fromEntries(Object.entries(attributes).map(([k, v]) => [`aria-${k}`, v])) };
}

export interface TableProps {
  readonly id: string;
  readonly caption: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** The numbers behind a chart, as a table a screen reader reads (role=table, header cells, one row per item). */
export function NumbersTable({ id, caption, head, rows }: TableProps) {
  return (
    <View id={id} className='hr-table' {...aria('table', { label: caption })}>
      <View className='hr-tr hr-thead' {...aria('row')}>
        {head.map((h) => (
          <Text key={h} className='hr-th' {...aria('columnheader')}>{h}</Text>
        ))}
      </View>
      {rows.map((row, i) => (
        <View key={i} className='hr-tr' {...aria('row')}>
          {row.map((cell, j) => (
            <Text key={j} className={j === 0 ? 'hr-td hr-td-first' : 'hr-td'} {...aria(j === 0 ? 'rowheader' : 'cell')}>{String(cell)}</Text>
          ))}
        </View>
      ))}
      {rows.length === 0 && <Text className='muted hr-empty'>该期间暂无数据 No data in this period</Text>}
    </View>
  );
}
