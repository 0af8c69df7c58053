import { useEffect, useState } from "preact/hooks";
import { imports } from "../api";
import { Alert, KindBadge, Spinner } from "../components";
import type { DiagnoseImportResponse } from "../gen/staffsync/v1/import_pb";
import { errorMessage } from "../logic/errors";
import { diagnosisSections } from "../logic/trust";

/** "Diagnose this sync": records not imported and people the import did not have (issue 17). */
export function DiagnosisSection({ importId, previewVersion }: { importId: string; previewVersion: bigint }) {
  const [diagnosis, setDiagnosis] = useState<DiagnoseImportResponse>();
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    imports
      .diagnoseImport({ importId })
      .then((res) => {
        if (!live) return;
        setDiagnosis(res);
        setError("");
      })
      .catch((err) => live && setError(errorMessage(err)));
    return () => void (live = false);
  }, [importId, previewVersion]);

  return (
    <section class="diagnosis" aria-labelledby="diagnosis-title" data-testid="diagnosis">
      <h2 id="diagnosis-title">Diagnose</h2>
      {error && <Alert tone="error" title={error} />}
      {!diagnosis && !error && <Spinner label="Loading the diagnosis…" />}
      {diagnosis && diagnosisSections(diagnosis).map((s) => (
        <div key={s.title} class="diagnosis-section">
          <h3>{s.title} ({s.total})</h3>
          {s.people.length === 0 ? <p class="muted">{s.empty}</p> : (
            <table class="diagnosis-table">
              <caption class="visually-hidden">{s.title}</caption>
              <thead>
                <tr>
                  <th scope="col" class="col-row">Row</th>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Source id</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {s.people.map((p, i) => (
                  <tr key={`${p.row}-${p.sourceId}-${p.email}-${i}`}>
                    <td class="col-row">{p.row > 0 ? p.row : "–"}</td>
                    <td>{p.name || "–"}</td>
                    <td class="email">{p.email || "–"}</td>
                    <td>{p.sourceId || "–"}</td>
                    <td><KindBadge kind={p.kind} /></td>
                    <td>{p.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {s.more && <p class="muted">{s.more}</p>}
        </div>
      ))}
      {diagnosis && diagnosis.warnings.length > 0 && (
        <Alert tone="warning" title="Warnings of this run" live={false}>
          <ul>{diagnosis.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
        </Alert>
      )}
    </section>
  );
}
