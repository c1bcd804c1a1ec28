// Deeply reactive state for props that components bind to, as App passes them.
export function reactive<T extends object>(value: T): T {
  const state = $state(value);
  return state;
}
