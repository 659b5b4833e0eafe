import type { CodeEditor } from '@grafana/ui';
import React, { useState, type ComponentProps } from 'react';

type CodeEditorProps = ComponentProps<typeof CodeEditor>;

/**
 * Monaco does not run in jsdom; this stands in for Grafana's CodeEditor with a
 * textarea that reports changes on blur, like the real one.
 */
export const CodeEditorStub = ({ value, onBlur, onChange }: CodeEditorProps) => {
  const [text, setText] = useState(value);
  return (
    <textarea
      aria-label="Code editor"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange?.(e.target.value);
      }}
      onBlur={() => onBlur?.(text)}
    />
  );
};
