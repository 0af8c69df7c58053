// A directory filter that offers the values present (department, location). When only part of
// a large directory was read, it takes typed text and suggests the values it knows.
import { choices } from "./logic/facets";

export function FacetFilter({ id, label, all, values, complete, value, onChange }: {
  id: string;
  label: string;
  all: string;
  values: string[];
  complete: boolean;
  value: string;
  onChange: (v: string) => void;
}) {
  if (!complete) {
    return (
      <div class="field">
        <label for={id}>{label}</label>
        <input id={id} list={`${id}-values`} value={value} onInput={(e) => onChange((e.target as HTMLInputElement).value)} />
        <datalist id={`${id}-values`}>{values.map((v) => <option key={v} value={v} />)}</datalist>
      </div>
    );
  }
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value="">{all}</option>
        {choices(values, value).map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
    </div>
  );
}
