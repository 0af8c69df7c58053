// A row's actions behind one button (a menu button): keeps tables calm, one "Actions" per row
// instead of a row of buttons. Arrow keys move, Escape closes and returns focus.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import "./directory.css";

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
}

export function RowMenu({ label, items, children }: { label: string; items: MenuItem[]; children?: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    root.current?.querySelector<HTMLButtonElement>("[role=menuitem]:not([disabled])")?.focus();
    const away = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, [open]);

  function onKey(e: KeyboardEvent) {
    if (e.key === "Escape") {
      setOpen(false);
      button.current?.focus();
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const entries = [...(root.current?.querySelectorAll<HTMLButtonElement>("[role=menuitem]:not([disabled])") ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLButtonElement);
    const step = e.key === "ArrowDown" ? 1 : -1;
    entries[(at + step + entries.length) % entries.length]?.focus();
  }

  return (
    <div class="row-menu" ref={root} onKeyDown={onKey}>
      <button ref={button} type="button" class="button secondary small" aria-haspopup="menu" aria-expanded={open} aria-label={label}
        onClick={() => setOpen(!open)}>
        Actions <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <ul class="menu" role="menu" aria-label={label}>
          {items.map((item) => (
            <li role="none" key={item.label}>
              <button type="button" role="menuitem" class={item.danger ? "danger-text" : undefined} disabled={item.disabled}
                onClick={() => {
                  setOpen(false);
                  item.onSelect();
                }}>
                {item.label}
              </button>
            </li>
          ))}
          {children}
        </ul>
      )}
    </div>
  );
}
