import type { PropsWithChildren } from 'react';
import './app.css';

/** The pages render themselves; the app only carries the shared style. */
export default function App({ children }: PropsWithChildren) {
  return children;
}
