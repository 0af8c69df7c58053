// The preview's table: one group of rows per kind, changes first and the unchanged folded,
// each row one sentence; details open below a row.
import { Fragment } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { imports } from "./api";
import { Alert, KindBadge, Spinner } from "./components";
import type { Change, FieldChange, Problem } from "./gen/staffsync/v1/import_pb";
import { ARROW, changeGroups, changeSentence, foldLabel, isCleared, isPersonField, namesFromChanges, personEmailsOf, sentenceLabel, uniqueProblems, withArrows, type ChangeGroupSpec } from "./logic/changeView";
import { errorMessage } from "./logic/errors";
import { displayValue, fieldLabel } from "./logic/fields";
import { formatCount } from "./logic/format";
import { kindByKey } from "./logic/kinds";
import { exactMatch, NameBook } from "./logic/names";
import { changesRequest, filterDescription, type ChangeFilter } from "./logic/preview";
import type { Summary } from "./gen/staffsync/v1/import_pb";
import { Email, EmailText, PersonName } from "./PersonName";
import { nameInDirectory } from "./usePeopleNames";
import "./changes.css";

const pageSize = 100;

/** The preview's name book: the rows' own names, then the directory, then the rest of the preview. */
function useNameBook(importId: string) {
  const [, setVersion] = useState(0);
  const book = useMemo(
    () =>
      new NameBook([
        (email) => nameInDirectory(email, (p) => `${p.firstName} ${p.lastName}`.trim()),
        async (email) => exactMatch((await imports.listChanges({ importId, search: email, pageSize: 5 })).changes, email)?.name || undefined,
      ]),
    [importId],
  );
  const learn = (changes: Change[]) => {
    book.learn(namesFromChanges(changes));
    setVersion((v) => v + 1);
    void book.resolve(personEmailsOf(changes)).then((learned) => learned && setVersion((v) => v + 1));
  };
  return { book, learn };
}

export function ChangeList({ importId, previewVersion, filter, summary }: {
  importId: string;
  previewVersion: bigint;
  filter: ChangeFilter;
  summary: Summary | undefined;
}) {
  const { book, learn } = useNameBook(importId);
  const groups = changeGroups(filter, summary);
  const [totals, setTotals] = useState<Record<string, number>>({});
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const filterKey = JSON.stringify(filter);
  useEffect(() => setTotals({}), [filterKey, previewVersion]);
  const known = groups.every((g) => totals[g.key] !== undefined);
  const nothing = known && groups.every((g) => totals[g.key] === 0);

  function toggleRow(key: string) {
    const next = new Set(expanded);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setExpanded(next);
  }

  return (
    <table class="changes">
      <caption class="visually-hidden">{filterDescription(filter)}</caption>
      <thead>
        <tr>
          <th scope="col" class="col-expand"><span class="visually-hidden">Details</span></th>
          <th scope="col" class="col-row">Row</th>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Kind</th>
          <th scope="col">What changes</th>
        </tr>
      </thead>
      {groups.map((g) => (
        <ChangeGroup
          key={`${g.key}:${filterKey}:${previewVersion}`}
          spec={g}
          importId={importId}
          filter={filter}
          book={book}
          onLoaded={(changes, total) => {
            learn(changes);
            setTotals((t) => ({ ...t, [g.key]: total }));
          }}
          expanded={expanded}
          onToggle={toggleRow}
        />
      ))}
      {(groups.length === 0 || nothing) && (
        <tbody><tr><td colSpan={6} class="empty">No changes match.</td></tr></tbody>
      )}
    </table>
  );
}

function ChangeGroup({ spec, importId, filter, book, onLoaded, expanded, onToggle }: {
  spec: ChangeGroupSpec;
  importId: string;
  filter: ChangeFilter;
  book: NameBook;
  onLoaded: (changes: Change[], total: number) => void;
  expanded: Set<string>;
  onToggle: (key: string) => void;
}) {
  const [folded, setFolded] = useState(spec.folded);
  const [changes, setChanges] = useState<Change[]>([]);
  const [total, setTotal] = useState<number>();
  const [next, setNext] = useState("");
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState("");
  const live = useRef(true);
  useEffect(() => () => void (live.current = false), []);

  async function load(token: string) {
    setLoading(true);
    try {
      const res = await imports.listChanges(changesRequest(importId, { ...filter, kind: spec.key }, token, pageSize));
      if (!live.current) return;
      setChanges((c) => (token ? [...c, ...res.changes] : res.changes));
      setTotal(Number(res.total));
      setNext(res.nextPageToken);
      setError("");
      onLoaded(res.changes, Number(res.total));
    } catch (err) {
      if (live.current) setError(errorMessage(err));
    } finally {
      if (live.current) setLoading(false);
    }
  }
  useEffect(() => void load(""), []);

  const info = kindByKey(spec.key);
  if (total === 0) return null;
  return (
    <tbody class={`group group-${spec.key}`} data-group={spec.key}>
      <tr class="group-head">
        <th colSpan={6} scope="rowgroup">
          <span class={`badge kind-${info.tone}`}>{info.label}</span>{" "}
          {total !== undefined && <span class="group-count">{formatCount(total)}</span>}
          {loading && <Spinner label="Loading…" />}
        </th>
      </tr>
      {error && <tr><td colSpan={6}><Alert tone="error" title={error} /></td></tr>}
      {folded && total !== undefined ? (
        <tr class="fold">
          <td colSpan={6}>
            <button type="button" class="button link" aria-expanded="false" onClick={() => setFolded(false)}>
              {foldLabel(total, spec.key)}
            </button>
          </td>
        </tr>
      ) : (
        changes.map((c) => {
          const key = `${c.row}:${c.email}:${c.kind}`;
          const open = expanded.has(key);
          const detailsId = `details-${c.row}-${c.email.replace(/[^a-z0-9]/gi, "_")}`;
          return (
            <Fragment key={key}>
              <tr class={open ? "change-row open" : "change-row"}>
                <td>
                  <button type="button" class="expander" aria-expanded={open} aria-controls={detailsId}
                    aria-label={`${open ? "Hide" : "Show"} details for ${c.name || c.email}`} onClick={() => onToggle(key)}>
                    {open ? "▾" : "▸"}
                  </button>
                </td>
                <td class="col-row">{c.row > 0 ? c.row : "—"}</td>
                <td>{c.name}</td>
                <td><Email email={c.email} /></td>
                <td><KindBadge kind={c.kind} /></td>
                <td class="what"><RowSentence change={c} book={book} /></td>
              </tr>
              {open && (
                <tr class="details-row">
                  <td colSpan={6} id={detailsId}>
                    <ChangeDetails change={c} book={book} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })
      )}
      {!folded && next && (
        <tr class="more">
          <td colSpan={6}>
            <button type="button" class="button secondary small" disabled={loading} onClick={() => load(next)}>
              Show more ({formatCount(changes.length)} of {formatCount(total ?? 0)} shown)
            </button>
          </td>
        </tr>
      )}
    </tbody>
  );
}

/** An old or new value: a manager by name, other fields as they are, an empty one as "(empty)". */
function Value({ field, value, book }: { field: string; value: string; book: NameBook }) {
  if (value === "") return <>{displayValue(value)}</>;
  if (isPersonField(field)) return <PersonName email={value} book={book} />;
  if (field === "email" || field === "alt_email") return <Email email={value} />;
  return <>{value}</>;
}

function FieldChangeText({ f, book }: { f: Pick<FieldChange, "field" | "old" | "new">; book: NameBook }) {
  if (isCleared(f)) {
    return (
      <span class="field-change">
        {sentenceLabel(f.field)}: <del class="removed"><Value field={f.field} value={f.old} book={book} /></del> <span class="removed-note">(cleared)</span>
      </span>
    );
  }
  return (
    <span class="field-change">
      {sentenceLabel(f.field)}: {f.old !== "" && <><span class="old-value"><Value field={f.field} value={f.old} book={book} /></span> {ARROW} </>}
      <span class="new-value"><Value field={f.field} value={f.new} book={book} /></span>
    </span>
  );
}

function RowSentence({ change, book }: { change: Change; book: NameBook }) {
  const s = changeSentence(change);
  const warnings = uniqueProblems(change.warnings).length;
  return (
    <>
      {s.type === "field" ? <FieldChangeText f={s} book={book} /> : (
        <span>
          <EmailText text={s.text} />
          {s.reportsTo && <>, reporting to <PersonName email={s.reportsTo} book={book} />.</>}
        </span>
      )}
      {warnings > 0 && <span class="count-warning"> · {warnings} warning{warnings === 1 ? "" : "s"}</span>}
    </>
  );
}

function ProblemList({ title, problems, tone }: { title: string; problems: Problem[]; tone: "error" | "warning" }) {
  if (problems.length === 0) return null;
  return (
    <div class={`problems problems-${tone}`}>
      <h3>{title}</h3>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>
            {p.field && <strong>{fieldLabel(p.field)}</strong>}
            {p.value && <> (<code>{p.value}</code>)</>}
            {p.field || p.value ? ": " : ""}<EmailText text={withArrows(p.message)} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function ChangeDetails({ change, book }: { change: Change; book: NameBook }) {
  const errors = uniqueProblems(change.errors);
  return (
    <div class="details">
      <ProblemList title="Errors (this row is skipped)" problems={errors} tone="error" />
      <ProblemList title="Warnings" problems={uniqueProblems(change.warnings)} tone="warning" />
      {change.fields.length > 0 ? (
        <table class="diff">
          <caption class="visually-hidden">Field changes for {change.name || change.email}</caption>
          <thead>
            <tr><th scope="col">Field</th><th scope="col">Old</th><th scope="col" class="arrow" aria-hidden="true"></th><th scope="col">New</th></tr>
          </thead>
          <tbody>
            {change.fields.map((f) => {
              const cleared = isCleared(f);
              return (
                <tr key={f.field} class={cleared ? "cleared" : undefined}>
                  <th scope="row">{fieldLabel(f.field)}</th>
                  <td class={f.old === "" ? "old empty-value" : cleared ? "old removed" : "old"}>
                    {cleared ? <del><Value field={f.field} value={f.old} book={book} /></del> : <Value field={f.field} value={f.old} book={book} />}
                  </td>
                  <td class="arrow" aria-hidden="true">{ARROW}</td>
                  <td class={cleared ? "new cleared-value" : f.new === "" ? "new empty-value" : "new"}>
                    {cleared ? "(cleared)" : <Value field={f.field} value={f.new} book={book} />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        errors.length === 0 && <p class="muted">No field changes.</p>
      )}
    </div>
  );
}
