// Shared modules Grafana hands to plugins that ship no type declarations; the host only passes them through.
declare module 'react-router';
declare module 'react-router-dom';
declare module 'prismjs';
declare module 'slate';
declare module 'slate-plain-serializer';
