import { useEffect, useState } from "preact/hooks";
import { downloadBytes, imports, uploadImport } from "../api";
import { Alert, Spinner } from "../components";
import { FileFormat, type ImportDefaults } from "../gen/staffsync/v1/import_pb";
import { ImportConfiguration } from "../ImportConfiguration";
import { uploadOptionsOver } from "../logic/defaults";
import { errorMessage } from "../logic/errors";
import { activateOnHireDateDefault, defaultOptionValues, guardLimitError, optionValuesOf, type OptionValues } from "../logic/options";
import { OptionsFieldset } from "../OptionsFieldset";
import { pastedUpload, uploadKind, uploadProblem } from "../logic/upload";
import { navigate } from "../router";

type Source = { mode: "file"; file?: File } | { mode: "paste"; text: string };

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function ImportPage() {
  const [source, setSource] = useState<Source>({ mode: "file" });
  const [options, setOptions] = useState<OptionValues>(defaultOptionValues);
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState("");
  const [dragging, setDragging] = useState(false);
  const [defaults, setDefaults] = useState<ImportDefaults>();
  const [configuring, setConfiguring] = useState(false);
  const [configNotice, setConfigNotice] = useState("");
  const [touched, setTouched] = useState(false);
  const companyValues = optionValuesOf(defaults?.options);

  // The upload's options start from the company's configuration.
  useEffect(() => {
    let live = true;
    imports.getImportDefaults({}).then((res) => {
      if (!live || !res.defaults) return;
      setDefaults(res.defaults);
      if (!touched) setOptions(optionValuesOf(res.defaults.options));
    }).catch(() => {
      // Without the configuration the built-in defaults show; the server still applies it.
    });
    return () => void (live = false);
  }, []);

  function pick(file: File | undefined) {
    setProblem(file ? (uploadProblem(file.name, file.size) ?? "") : "");
    setSource({ mode: "file", file });
  }

  async function template(format: FileFormat) {
    try {
      const t = await imports.getTemplate({ format });
      downloadBytes(t.fileName, t.contentType, t.content);
    } catch (err) {
      setProblem(errorMessage(err));
    }
  }

  async function submit(e: Event) {
    e.preventDefault();
    const limitProblem = guardLimitError(options.maxDeactivations) ?? guardLimitError(options.maxManagerChanges);
    if (limitProblem) {
      setProblem(`Safety guard: ${limitProblem}`);
      return;
    }
    let fileName: string;
    let content: Blob;
    if (source.mode === "file") {
      if (!source.file) {
        setProblem("Choose a CSV or XLSX file first, or paste CSV text.");
        return;
      }
      const p = uploadProblem(source.file.name, source.file.size);
      if (p) {
        setProblem(p);
        return;
      }
      fileName = source.file.name;
      content = source.file; // streamed from disk, never read into the page
    } else {
      const pasted = pastedUpload(source.text);
      if ("problem" in pasted) {
        setProblem(pasted.problem);
        return;
      }
      fileName = pasted.fileName;
      content = new Blob([pasted.content as BlobPart]);
    }
    setProblem("");
    setBusy("Uploading…");
    try {
      const res = await uploadImport(fileName, content, uploadOptionsOver(companyValues, options));
      navigate(`/imports/${res.import!.id}`);
    } catch (err) {
      setProblem(errorMessage(err));
      setBusy("");
    }
  }

  const file = source.mode === "file" ? source.file : undefined;
  const isXlsx = file !== undefined && uploadKind(file.name) === "xlsx";

  return (
    <section class="import-page">
      <div class="page-head">
        <h1 tabIndex={-1}>Import people</h1>
        <div class="template-links">
          <span>Template:</span>
          <button type="button" class="button secondary" onClick={() => template(FileFormat.CSV)}>Download CSV</button>
          <button type="button" class="button secondary" onClick={() => template(FileFormat.XLSX)}>Download XLSX</button>
        </div>
      </div>
      {configNotice && <Alert tone="success" title={configNotice} />}
      {configuring ? (
        <ImportConfiguration stored={defaults} onClose={() => setConfiguring(false)} onSaved={(d) => {
          setDefaults(d);
          setOptions(optionValuesOf(d.options));
          setTouched(false);
          setConfiguring(false);
          setConfigNotice("Configuration saved. Uploads start from it from now on.");
        }} />
      ) : (
        <div class="config-link">
          <button type="button" class="button secondary" onClick={() => { setConfigNotice(""); setConfiguring(true); }}>Configuration…</button>
          <span class="help">The company's import defaults: {defaults?.saved ? "saved" : "built-in"}.</span>
        </div>
      )}
      <p class="lead">
        Upload a spreadsheet with one row per person. Nothing changes until you have looked at the preview and approved it.
      </p>
      <p class="viewer-only muted">Your role can look at imports but not start them; ask an admin.</p>
      <form onSubmit={submit} class="import-form needs-admin" noValidate>
        <div class="card">
          <div class="tabs" role="radiogroup" aria-label="How to provide the people">
            <label class={source.mode === "file" ? "tab active" : "tab"}>
              <input type="radio" name="mode" checked={source.mode === "file"} onChange={() => setSource({ mode: "file" })} /> Upload a file
            </label>
            <label class={source.mode === "paste" ? "tab active" : "tab"}>
              <input type="radio" name="mode" checked={source.mode === "paste"} onChange={() => setSource({ mode: "paste", text: "" })} /> Paste CSV text
            </label>
          </div>
          {source.mode === "file" ? (
            <div
              class={`dropzone${dragging ? " dragging" : ""}`}
              onDragOver={(e) => {
                e.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={(e) => {
                e.preventDefault();
                setDragging(false);
                pick(e.dataTransfer?.files?.[0]);
              }}
            >
              <p class="dropzone-title">Drop a CSV or XLSX file here</p>
              <label for="file" class="button secondary">Choose a file…</label>
              <input
                id="file"
                class="visually-hidden-file"
                type="file"
                accept=".csv,.xlsx,.txt,.tsv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                onChange={(e) => pick((e.target as HTMLInputElement).files?.[0])}
              />
              {file && (
                <p class="chosen" aria-live="polite">
                  Selected: <strong>{file.name}</strong> ({formatSize(file.size)})
                </p>
              )}
            </div>
          ) : (
            <div class="field">
              <label for="paste">CSV text, header row first</label>
              <textarea
                id="paste"
                rows={10}
                spellcheck={false}
                value={source.text}
                placeholder={"First Name,Last Name,Gender,Title,Login Email,…\nAda,Lovelace,F,Engineer,ada@example.com,…"}
                onInput={(e) => setSource({ mode: "paste", text: (e.target as HTMLTextAreaElement).value })}
              />
            </div>
          )}
        </div>

        <OptionsFieldset values={options} onChange={(v) => { setTouched(true); setOptions(v); }} showSheet={isXlsx} idPrefix="opt" hireDateDefault={activateOnHireDateDefault()} legend="Options for this upload">
          <p class="help">
            They start from the company's <button type="button" class="button link inline" onClick={() => { setConfigNotice(""); setConfiguring(true); }}>configuration</button>;
            a change here applies to this upload only.
          </p>
        </OptionsFieldset>

        {problem && <Alert tone="error" title={problem} />}
        <div class="actions">
          <button type="submit" class="button primary" disabled={busy !== ""}>Upload and preview</button>
          {busy && <Spinner label={busy} />}
        </div>
      </form>
    </section>
  );
}
