// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no layout observers; Grafana's Select menu (ScrollContainer) uses them.
class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
for (const name of ['IntersectionObserver', 'ResizeObserver']) {
  if (typeof window !== 'undefined' && !(name in window)) {
    Object.defineProperty(window, name, { writable: true, configurable: true, value: NoopObserver });
  }
}
