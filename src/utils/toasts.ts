import { useSyncExternalStore } from "react";

// Messages shown to the person (mutation errors, confirmations). A tiny store, so that code
// outside React (the query client's error handler) can show one too.
export interface Toast {
  id: number;
  message: string;
  /** A way out, e.g. the plans page after a plan-limit refusal. */
  link?: { href: string; label: string };
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((listener) => listener());

export function dismissToast(id: number) {
  toasts = toasts.filter((toast) => toast.id !== id);
  emit();
}

export function showToast(message: string, link?: Toast["link"]) {
  const id = nextId++;
  toasts = [...toasts.slice(-2), { id, message, ...(link && { link }) }];
  emit();
  setTimeout(() => dismissToast(id), 6000);
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};
const noToasts: Toast[] = [];

export const useToasts = () => useSyncExternalStore(subscribe, () => toasts, () => noToasts);
