// Parts of the preview page beyond the changes: the options the import used and where they
// came from, and the hints the preview found across rows.
import type { Import } from "./gen/staffsync/v1/import_pb";
import { optionLines, optionsSourceLabel } from "./logic/defaults";
import { hintTitle, mergeLink, namedPersonLabel, rowsText } from "./logic/hints";
import { EmailText } from "./PersonName";
import { linkClick } from "./router";

export function ImportOptionsNote({ im }: { im: Import }) {
  const from = optionsSourceLabel(im.optionsSource);
  return (
    <details class="options-used">
      <summary>Options used{from && <>: {from}</>}</summary>
      <ul>{optionLines(im.options).map((l) => <li key={l}>{l}</li>)}</ul>
    </details>
  );
}

export function ImportHints({ im }: { im: Import }) {
  if (im.hints.length === 0) return null;
  return (
    <section class="hints" aria-labelledby="hints-title">
      <h2 id="hints-title">Hints</h2>
      <ul>
        {im.hints.map((h, i) => {
          const merge = mergeLink(h);
          const rows = rowsText(h);
          return (
            <li key={i} class={`hint hint-${h.code}`} data-code={h.code}>
              <strong>{hintTitle(h.code)}:</strong> <EmailText text={h.message} />
              {rows && <span class="muted"> {rows}.</span>}
              {h.people.length > 0 && (
                <ul class="hint-people">
                  {h.people.map((p, j) => (
                    <li key={j}>{p.id ? <a href={`/people/${p.id}`} onClick={linkClick}>{namedPersonLabel(p)}</a> : namedPersonLabel(p)}</li>
                  ))}
                </ul>
              )}
              {merge && <a class="button secondary small" href={merge} onClick={linkClick}>Merge…</a>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
