// A combobox that finds a person by name or email in the directory and hands back the chosen
// one: the admin never has to type a login email in full.
import { useEffect, useId, useState } from "preact/hooks";
import { directory } from "./api";
import { PersonStatusFilter } from "./gen/staffsync/v1/directory_pb";
import { errorMessage } from "./logic/errors";
import { moveHighlight, pickerOptions, searchable, type PickerOption } from "./logic/picker";
import "./directory.css";

export function PersonPicker({ id, label, help, exclude, chosen, onChoose, activeOnly }: {
  id: string;
  label: string;
  help?: string;
  /** Ids or emails that cannot be chosen. */
  exclude?: string[];
  chosen: PickerOption | undefined;
  onChoose: (o: PickerOption | undefined) => void;
  activeOnly?: boolean;
}) {
  const [text, setText] = useState(chosen?.name ?? "");
  const [options, setOptions] = useState<PickerOption[]>([]);
  const [open, setOpen] = useState(false);
  const [highlight, setHighlight] = useState(-1);
  const [error, setError] = useState("");
  const listId = useId();
  const helpId = `${id}-help`;
  useEffect(() => {
    if (chosen) setText(chosen.name);
  }, [chosen?.id]);

  useEffect(() => {
    if (chosen || !searchable(text)) {
      setOptions([]);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      directory
        .listPeople({ search: text.trim(), status: activeOnly ? PersonStatusFilter.ACTIVE : PersonStatusFilter.ALL, pageSize: 8 })
        .then((res) => {
          if (!live) return;
          setOptions(pickerOptions(res.people, exclude));
          setHighlight(-1);
          setOpen(true);
          setError("");
        })
        .catch((err) => live && setError(errorMessage(err)));
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [text, chosen]);

  function choose(o: PickerOption) {
    onChoose(o);
    setText(o.name);
    setOpen(false);
  }

  function onKey(e: KeyboardEvent) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setOpen(true);
      setHighlight(moveHighlight(highlight, options.length, e.key));
    } else if (e.key === "Enter" && open && highlight >= 0) {
      e.preventDefault();
      choose(options[highlight]);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      e.stopPropagation(); // keep a surrounding dialog open
      setOpen(false);
    }
  }

  const showList = open && !chosen && searchable(text);
  return (
    <div class="field picker">
      <label for={id}>{label}</label>
      <input id={id} role="combobox" autoComplete="off" spellcheck={false} value={text}
        aria-expanded={showList} aria-controls={listId} aria-autocomplete="list" aria-describedby={help || chosen ? helpId : undefined}
        aria-activedescendant={showList && highlight >= 0 ? `${listId}-${highlight}` : undefined}
        onInput={(e) => {
          setText((e.target as HTMLInputElement).value);
          if (chosen) onChoose(undefined);
        }}
        onKeyDown={onKey} />
      {(help || chosen) && <p id={helpId} class="help">{chosen ? `Chosen: ${chosen.name} (${chosen.email})` : help}</p>}
      {showList && (
        <ul id={listId} role="listbox" class="picker-list" aria-label={label}>
          {options.length === 0 && <li class="muted picker-empty">Nobody matches "{text.trim()}".</li>}
          {options.map((o, i) => (
            <li key={o.id} id={`${listId}-${i}`} role="option" aria-selected={i === highlight} class={i === highlight ? "highlight" : undefined}
              onMouseDown={(e) => { e.preventDefault(); choose(o); }}>
              <strong>{o.name}</strong> <span class="email">{o.email}</span>
              {o.detail && <span class="muted"> · {o.detail}</span>}
            </li>
          ))}
        </ul>
      )}
      {error && <p class="help error-text" role="alert">{error}</p>}
    </div>
  );
}
